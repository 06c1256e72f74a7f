// The last step of deleting a dataset: its Dataset node(s), once every other node is gone.
// No parameters.
MATCH (d:Dataset)
DETACH DELETE d
RETURN count(d) AS deleted
