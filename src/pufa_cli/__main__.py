from pufa_cli.main import main

main()
