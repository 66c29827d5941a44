"""What may leave the machine: the disclosure step that suppresses and rounds every
published count against an attacker who combines tables (`disclosure`), the public tables
built through it (`publish`), Frictionless data packages with labels and the synthetic flag
beside the data (`datapackage`), and the Excel workbook of public tables (`workbook`)."""
