"""Importers: turn other systems' procedure records into catalogue models.

`dichvucong` reads the National Public Service Portal's records (one JSON
file per procedure); each flat-text section of a record has its own parser
module, so that every parser can be tested on real records alone.
"""
