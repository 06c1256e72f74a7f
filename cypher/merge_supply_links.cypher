// SUPPLIES from supplier to customer, one per (supplier, customer, segment); runs after firms.
// Parameters: $rows (supplier, customer, segment, product, value, source, confidence, seq)
UNWIND $rows AS row
MATCH (a:Firm {id: row.supplier})
MATCH (b:Firm {id: row.customer})
MERGE (a)-[l:SUPPLIES {segment: row.segment}]->(b)
SET l.product = row.product,
    l.value = row.value,
    l.source = row.source,
    l.confidence = row.confidence,
    l.seq = row.seq
