from rehabkoll.cli import main

main()
