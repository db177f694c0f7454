"""The producer of the waiting example: fills frames into one shared array
and notifies after each (docs/waiting.md).

The array holds two frame slots (double buffering): frame k goes into slot
k % 2, then notify makes the version k.  A consumer woken at version v reads
slot v % 2; the producer does not touch that slot again before frame v + 2,
so a consumer checks, after reading, that the version is still below v + 2
(else it read too slowly and drops the frame).

    producer.py NAME FRAMES [--interval SECONDS]
"""
import argparse
import time

import npshm


def main():
    p = argparse.ArgumentParser()
    p.add_argument("name")
    p.add_argument("frames", type=int)
    p.add_argument("--interval", type=float, default=0.02)
    p.add_argument("--start-delay", type=float, default=0.5,
                   help="time for consumers to attach before the first frame")
    args = p.parse_args()
    frames = npshm.create(args.name, (2, 64, 64), "f8", lifetime="owner")
    time.sleep(args.start_delay)
    for k in range(1, args.frames + 1):
        frames[k % 2] = k                 # the whole frame: value k
        v = npshm.notify(frames)          # then announce it
        assert v == k
        time.sleep(args.interval)
    # Wait for every consumer to let go before the array goes away.
    npshm.wait_released(frames, timeout=60)
    print(f"producer: {args.frames} frames, every consumer done", flush=True)


if __name__ == "__main__":
    main()
