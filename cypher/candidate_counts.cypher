// Per candidate (a firm outside $regions, not in $skip, in one of the gap segments), what its
// target score is computed from, counted on the server so that a few numbers per firm cross the
// wire instead of the firm, its links and their ends. $segments are the gap segments, each with
// the own segments of the anchors having that gap ({id, own}): a peer is a customer, other than
// an anchor, making one of the own segments of the candidate's gaps. $min_output (or null)
// keeps only firms with at least that output value. Every link counts by its confidence, 0 under
// $min_confidence: per other firm the largest of its links' (the store sums them, as
// chaingraph.analyses.targets.weighted_count does).
// Parameters: $segments, $regions, $skip, $anchors, $min_output, $min_confidence
// Filters come after a WITH: in the MATCH's WHERE, FalkorDB plans a scan of every Firm.
UNWIND $segments AS seg
MATCH (:Segment {id: seg.id})<-[:IN_SEGMENT]-(c:Firm)
WITH c, seg
WHERE NOT c.region IN $regions AND NOT c.id IN $skip
  AND ($min_output IS NULL OR c.output_value >= $min_output)
WITH c, collect(seg.id) AS segments, collect(seg.own) AS owns
WITH c, segments, reduce(acc = [], o IN owns | acc + o) AS own
OPTIONAL MATCH (c)-[l:SUPPLIES]->(v:Firm)
WITH c, segments, own, v,
     max(CASE WHEN l.confidence >= $min_confidence THEN l.confidence ELSE 0.0 END) AS w
WITH c, segments, own,
     collect(CASE WHEN v IS NOT NULL AND w > 0 THEN [v.id, w, v.region, v.segments] END) AS customers
OPTIONAL MATCH (u:Firm)-[k:SUPPLIES]->(c)
WITH c, segments, own, customers, u,
     max(CASE WHEN k.confidence >= $min_confidence THEN k.confidence ELSE 0.0 END) AS wu
WITH c, segments, own, customers,
     collect(CASE WHEN u IS NOT NULL AND wu > 0 AND u.region IN $regions AND NOT u.id IN $anchors
                  THEN [u.id, wu] END) AS tied_suppliers
RETURN c.id AS id, segments, c.output_value AS output, c.lat AS lat, c.lon AS lon, c.region AS region,
       c.parent AS parent, c.extra AS extra,
       reduce(m = 0.0, x IN customers | CASE WHEN x[0] IN $anchors AND x[1] > m THEN x[1] ELSE m END)
         AS supplies_anchor,
       [x IN customers WHERE NOT x[0] IN $anchors AND any(s IN x[3] WHERE s IN own) | x[1]] AS peers,
       [x IN customers WHERE NOT x[0] IN $anchors AND x[2] IN $regions | [x[0], x[1]]] + tied_suppliers AS ties
