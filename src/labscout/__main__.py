from labscout.cli import main

main()
