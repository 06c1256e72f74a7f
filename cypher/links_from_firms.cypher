// The SUPPLIES links out of the given (local) firms to context firms off the anchors' side:
// customers that are not local, not anchors and share no segment with $own, and are in the
// context as one of $keep (the anchors and their suppliers) or, when $external, as a firm with
// a segment in $segments. links_into_firms returns the rest.
// Parameters: $ids, $anchors, $keep, $regions, $segments, $own, $external
UNWIND $ids AS firm_id
MATCH (a:Firm {id: firm_id})-[l:SUPPLIES]->(b:Firm)
WITH a, l, b
WHERE NOT b.region IN $regions AND NOT b.id IN $anchors
  AND NOT any(s IN coalesce(b.segments, []) WHERE s IN $own)
  AND (($external AND any(s IN b.segments WHERE s IN $segments)) OR b.id IN $keep)
RETURN a.id AS supplier, b.id AS customer, l.segment AS segment, l.product AS product,
       l.value AS value, l.source AS source, l.confidence AS confidence, l.evidence AS evidence, l.seq AS seq
