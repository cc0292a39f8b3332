import sys

from conformance.commands.main import main

sys.exit(main())
