// The links into each candidate (as in candidate_firms) from local firms other than the
// anchors (a supplier in $regions, not in $anchors), which count as ties: one row per link and
// gap segment of the candidate, with the link's confidence w (at least $min_confidence and
// above 0).
// Parameters: $segments, $regions, $skip, $min_output, $anchors, $min_confidence
UNWIND $segments AS seg
MATCH (:Segment {id: seg.id})<-[:IN_SEGMENT]-(c:Firm)
WITH c
WHERE NOT c.region IN $regions AND NOT c.id IN $skip
  AND ($min_output IS NULL OR c.output_value >= $min_output)
MATCH (u:Firm)-[k:SUPPLIES]->(c)
WITH c, k.confidence AS w, u
WHERE w >= $min_confidence AND w > 0 AND u.region IN $regions AND NOT u.id IN $anchors
RETURN c.id AS id, u.id AS other, w
