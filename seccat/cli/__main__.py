from seccat.cli import app

# "python -m seccat.cli" is still seccat: in usage lines and in shell completion scripts
app(prog_name="seccat")
