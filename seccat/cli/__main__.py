from seccat.cli import app

app()
