"""The type stub npshm/_npshm.pyi the build made (and installs) declares
exactly the constants the SWIG module exports, each with its type; its
generator refuses a template that spells constants itself."""

import ast
import os
import re
import sys

import pytest

import npshm
from npshm import _npshm

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools")
sys.path.insert(0, TOOLS)
import gen_npshm_stub  # noqa: E402

CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")


def stub_constants(text):
    """{NAME: annotation} of the stub's top-level NAME: type lines."""
    return {node.target.id: ast.unparse(node.annotation)
            for node in ast.parse(text).body
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
            and CONSTANT.match(node.target.id)}


def module_constants():
    return {name: type(getattr(_npshm, name)).__name__
            for name in dir(_npshm) if CONSTANT.match(name)}


def test_the_stub_declares_each_exported_constant_with_its_type():
    path = os.path.join(os.path.dirname(npshm.__file__), "_npshm.pyi")
    with open(path, encoding="utf-8") as f:
        declared = stub_constants(f.read())
    exported = module_constants()
    assert "E_INVALID" in exported and "LIFETIME_OWNER" in exported
    missing = sorted(set(exported) - set(declared))
    extra = sorted(set(declared) - set(exported))
    assert not missing, f"{path} lacks constants the module exports: {missing}"
    assert not extra, f"{path} declares constants the module does not export: {extra}"
    assert declared == exported


SHADOW = "X = 1\nA_ONE = _npshm_c.A_ONE\nB_TWO = _npshm_c.B_TWO\nlower = _npshm_c.lower\n"
WRAPPER = ('  SWIG_Python_SetConstant(d, "A_ONE",SWIG_From_int((int)(1)));\n'
           '  SWIG_Python_SetConstant(d, "B_TWO",SWIG_FromCharPtr("two"));\n'
           '  SWIG_Python_SetConstant(d, "lower",SWIG_From_int((int)(3)));\n')
TEMPLATE = "#% a note for the template's editors\nimport os\n\n@SWIG_CONSTANTS@\n\ndef f() -> int: ...\n"


def test_generator_puts_swigs_constants_in_place_of_the_marker():
    text = gen_npshm_stub.render(TEMPLATE, SHADOW, WRAPPER)
    assert "#%" not in text
    body = text.split("import os\n\n", 1)[1]
    assert body == "A_ONE: int\nB_TWO: str\nlower: int\n\ndef f() -> int: ...\n"


@pytest.mark.parametrize("template, wrapper, says", [
    (TEMPLATE.replace("import os", "import os\nA_ONE: int"), WRAPPER,
     "the template declares ['A_ONE'] itself"),
    (TEMPLATE.replace("@SWIG_CONSTANTS@", ""), WRAPPER, "must have the line @SWIG_CONSTANTS@ once"),
    (TEMPLATE + "@SWIG_CONSTANTS@\n", WRAPPER, "found 2"),
    (TEMPLATE, WRAPPER.replace("SWIG_FromCharPtr", "SWIG_From_complex"),
     "SWIG_From_complex, which gen_npshm_stub.py does not know"),
    (TEMPLATE, WRAPPER.replace('"B_TWO"', '"C_THREE"'),
     "binds ['B_TWO'], which the wrapper does not set"),
])
def test_generator_refuses(template, wrapper, says):
    with pytest.raises(gen_npshm_stub.StubError, match=re.escape(says)):
        gen_npshm_stub.render(template, SHADOW, wrapper)
