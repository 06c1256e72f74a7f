// The SUPPLIES links into the given firms (the context's customers on the anchors' side) whose
// supplier is in the context: a local firm (with a segment in $segments unless $external),
// when $external any firm with a segment in $segments, or one of $keep (the anchors and their
// suppliers). The WITH keeps the planner seeking from the given ids.
// Parameters: $ids, $keep, $regions, $segments, $external
UNWIND $ids AS firm_id
MATCH (a:Firm)-[l:SUPPLIES]->(b:Firm {id: firm_id})
WITH a, l, b
WHERE (a.region IN $regions AND ($external OR any(s IN a.segments WHERE s IN $segments)))
   OR ($external AND any(s IN a.segments WHERE s IN $segments))
   OR a.id IN $keep
RETURN a.id AS supplier, b.id AS customer, l.segment AS segment, l.product AS product,
       l.value AS value, l.source AS source, l.confidence AS confidence, l.evidence AS evidence, l.seq AS seq
