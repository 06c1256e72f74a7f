// First step of load --replace, committed on its own before anything is deleted: the Dataset
// node says the load is incomplete, and its fingerprint and resume counters are cleared, so
// that until a load finishes every read refuses the graph and no plain load resumes into it.
// No parameters.
MATCH (d:Dataset)
SET d.complete = false, d.replacing = true, d.fingerprint = '', d.firms_done = 0, d.links_done = 0
RETURN count(d) AS marked
