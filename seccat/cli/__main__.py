from seccat.cli.entry import main

# "python -m seccat.cli" is still seccat: in usage lines and in shell completion scripts
main(prog_name="seccat")
