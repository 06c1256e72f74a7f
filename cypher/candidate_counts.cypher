// Per candidate (a firm outside $regions, not in $skip, in one of the gap segments), what its
// target score is computed from, counted on the server so that a few numbers per firm cross the
// wire instead of the firm, its links and their ends. $segments are the gap segments, each with
// the own segments of the anchors having that gap ({id, own}): a peer is a customer, other than
// an anchor, making one of the own segments of the candidate's gaps. $min_output (or null)
// keeps only firms with at least that output value.
// Parameters: $segments, $regions, $skip, $anchors, $min_output
// Filters come after a WITH: in the MATCH's WHERE, FalkorDB plans a scan of every Firm.
UNWIND $segments AS seg
MATCH (:Segment {id: seg.id})<-[:IN_SEGMENT]-(c:Firm)
WITH c, seg
WHERE NOT c.region IN $regions AND NOT c.id IN $skip
  AND ($min_output IS NULL OR c.output_value >= $min_output)
WITH c, collect(seg.id) AS segments, collect(seg.own) AS owns
WITH c, segments, reduce(acc = [], o IN owns | acc + o) AS own
OPTIONAL MATCH (c)-[:SUPPLIES]->(v:Firm)
WITH c, segments, own, collect(DISTINCT v) AS customers
OPTIONAL MATCH (u:Firm)-[:SUPPLIES]->(c)
WITH c, segments, own, customers,
     collect(DISTINCT CASE WHEN u.region IN $regions AND NOT u.id IN $anchors THEN u.id END) AS tied_suppliers
RETURN c.id AS id, segments, c.output_value AS output, c.lat AS lat, c.lon AS lon, c.region AS region,
       any(v IN customers WHERE v.id IN $anchors) AS supplies_anchor,
       size([v IN customers WHERE NOT v.id IN $anchors AND any(s IN v.segments WHERE s IN own)]) AS peers,
       [v IN customers WHERE NOT v.id IN $anchors AND v.region IN $regions | v.id] + tied_suppliers AS ties
