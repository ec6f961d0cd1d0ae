from vaenas.console import main

main()
