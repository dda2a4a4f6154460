"""Below every stage: errors and warnings, field locations, messages and their
translation, safe output and scratch files, bundled assets, paper sizes.

Nothing here knows a report's structure; every other subpackage may import it.
"""
