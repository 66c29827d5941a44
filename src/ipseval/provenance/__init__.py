"""Where a result came from: the citation (`citation`), the run's code version, locked
package versions and step times (`runinfo`), and RO-Crate archives of a run, public or
restricted (`archive`)."""
