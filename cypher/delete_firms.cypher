// The second step of deleting a dataset, once delete_links has removed the SUPPLIES links: up to
// $limit Firm and Project nodes with the few relationships each has left (LOCATED_IN, IN_SEGMENT,
// BY). Firms go before the template, whose Segment and Region nodes hold one relationship per
// firm in them. The store repeats this until it returns 0, then runs delete_dataset.
// Parameters: $limit
MATCH (n)
WHERE n:Firm OR n:Project
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(n) AS deleted
