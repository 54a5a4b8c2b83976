from haven.cli.main import run

run()
