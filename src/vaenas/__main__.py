from vaenas.cli import main

main()
