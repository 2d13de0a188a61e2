from adcli.cli.main import main

main()
