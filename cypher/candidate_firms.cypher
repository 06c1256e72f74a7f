// The candidates of a target ranking, one row per candidate and gap segment: a firm outside
// $regions, not in $skip, in one of the gap segments $segments ({id, own}: own is the own
// segments of the anchors having that gap), with an output value of at least $min_output (or
// any when null). The store merges a candidate's rows; candidate_customers and
// candidate_suppliers give its links. No aggregation on the server: grouping on lists cost
// FalkorDB more than the rest of the count together (issue 17 §5).
// Filters come after a WITH: in the MATCH's WHERE, FalkorDB plans a scan of every Firm.
// Parameters: $segments, $regions, $skip, $min_output
UNWIND $segments AS seg
MATCH (:Segment {id: seg.id})<-[:IN_SEGMENT]-(c:Firm)
WITH c, seg
WHERE NOT c.region IN $regions AND NOT c.id IN $skip
  AND ($min_output IS NULL OR c.output_value >= $min_output)
RETURN c.id AS id, seg.id AS segment, c.output_value AS output, c.lat AS lat, c.lon AS lon,
       c.region AS region, c.parent AS parent, c.extra AS extra
