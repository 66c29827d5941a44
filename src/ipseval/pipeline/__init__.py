"""Plumbing between the Snakefile and the stages: the config checks run when the workflow
starts (`configuration`), each rule's code inputs (`codedeps`), and byte-stable papermill
notebooks rendered without code (`notebook`)."""
