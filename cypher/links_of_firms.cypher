// Every SUPPLIES link into or out of the given firms (a link between two of them comes twice).
// Parameters: $ids
UNWIND $ids AS firm_id
MATCH (f:Firm {id: firm_id})-[l:SUPPLIES]-(:Firm)
RETURN startNode(l).id AS supplier, endNode(l).id AS customer, l.segment AS segment,
       l.product AS product, l.value AS value, l.source AS source, l.confidence AS confidence, l.evidence AS evidence,
       l.seq AS seq
