"""The report's published Tabell 1-14 as transcribed figures (`published`) and their
reproduction from the clean microdata, checked cell by cell with a documented verdict per
cell (`reproduce`)."""
