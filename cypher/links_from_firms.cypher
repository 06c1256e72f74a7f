// The SUPPLIES links out of the given firms; the store keeps those whose customer is in
// the context too. Parameters: $ids
UNWIND $ids AS firm_id
MATCH (a:Firm {id: firm_id})-[l:SUPPLIES]->(b:Firm)
RETURN a.id AS supplier, b.id AS customer, l.segment AS segment, l.product AS product,
       l.value AS value, l.source AS source, l.confidence AS confidence, l.seq AS seq
