# Sourced by the bench scripts that compare against a Python peer: sets PY to the interpreter to
# use, from T4J_REF_PYTHON when set, else ~/.venv-ref/bin/python when it exists (a venv with
# PyTorch 2.x, transformers and numpy), else /usr/bin/python3 (Debian's python3-torch and
# python3-numpy; install libopenblas0-pthread too, or torch and numpy fall back to the slow
# reference BLAS). Never a python3 that happens to come first on PATH (a pyenv shim without torch).
#   ref_python MODULE   checks that MODULE imports with PY, else says how to get one, and fails
if [[ -n "${T4J_REF_PYTHON:-}" ]]; then
  PY=$T4J_REF_PYTHON
elif [[ -x "$HOME/.venv-ref/bin/python" ]]; then
  PY=$HOME/.venv-ref/bin/python
else
  PY=/usr/bin/python3
fi

ref_python() {
  if ! "$PY" -c "import $1" 2>/dev/null; then
    echo "$(basename "$0"): '$1' is not importable by $PY. Point T4J_REF_PYTHON at a Python that" \
      "has it (e.g. a venv with 'pip install torch numpy'), or on Debian/Ubuntu:" \
      "sudo apt-get install -y python3-torch python3-numpy libopenblas0-pthread" >&2
    exit 1
  fi
  echo "$(basename "$0"): Python peer: $PY ($("$PY" -c "import $1; print('$1', $1.__version__)"))" >&2
}
