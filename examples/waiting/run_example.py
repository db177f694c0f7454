"""Runs the waiting example: the Python producer, the C consumer and (when
the R package loads) the R consumer on one array; checks that each consumer
saw the last version and only whole frames, and that nothing is left.

    run_example.py --consumer BUILD/examples/waiting/waiting_consumer [--frames N]
R: Rscript with the npshm package on R_LIBS (NPSHM_R_LIBS adds a library).
"""
import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def r_available(env):
    if not shutil.which("Rscript"):
        return "Rscript not found"
    r = subprocess.run(["Rscript", "-e", "library(npshm); stopifnot(exists('npshm_wait_changed'))"],
                       env=env, capture_output=True, text=True)
    return None if r.returncode == 0 else "the npshm R package (with waits) does not load"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--consumer", required=True)
    p.add_argument("--frames", type=int, default=50)
    args = p.parse_args()
    directory = tempfile.mkdtemp(prefix=f"npshm-test-waiting-example-{os.getpid()}-", dir="/dev/shm")
    env = dict(os.environ, NPSHM_DIR=directory)
    if os.environ.get("NPSHM_R_LIBS"):
        env["R_LIBS"] = os.pathsep.join(filter(None, [os.environ["NPSHM_R_LIBS"], env.get("R_LIBS")]))
    name = f"npshm-test-frames-{secrets.token_hex(4)}"
    try:
        consumers = [subprocess.Popen([args.consumer, name, str(args.frames)], env=env,
                                      stdout=subprocess.PIPE, text=True)]
        why_not_r = r_available(env)
        if why_not_r is None:
            consumers.append(subprocess.Popen(
                ["Rscript", os.path.join(HERE, "consumer.R"), name, str(args.frames)],
                env=env, stdout=subprocess.PIPE, text=True))
        else:
            print(f"R consumer skipped: {why_not_r}")
        producer = subprocess.run([sys.executable, os.path.join(HERE, "producer.py"), name,
                                   str(args.frames)], env=env, capture_output=True, text=True,
                                  timeout=120)
        ok = producer.returncode == 0
        print(producer.stdout, producer.stderr, end="")
        for c in consumers:
            out, _ = c.communicate(timeout=60)
            print(out, end="")
            ok = ok and c.returncode == 0 and f"last version {args.frames}" in out
        left = os.listdir(directory)
        if left:
            print(f"left behind: {left}")
            ok = False
        print("example ok" if ok else "example FAILED")
        return 0 if ok else 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
