// The links from each candidate (as in candidate_firms) that its target score counts: one row
// per link and gap segment of the candidate, with the link's confidence w (only links of
// confidence at least $min_confidence and above 0 count) and the role of the customer:
// 1 an anchor ($anchors); otherwise 2 for a peer (it makes one of the segment's own segments)
// plus 4 for a local firm (in $regions), and links with neither are left out. The store keeps,
// per candidate and customer, the largest confidence and every role found.
// Parameters: $segments, $regions, $skip, $min_output, $anchors, $min_confidence
UNWIND $segments AS seg
MATCH (:Segment {id: seg.id})<-[:IN_SEGMENT]-(c:Firm)
WITH c, seg
WHERE NOT c.region IN $regions AND NOT c.id IN $skip
  AND ($min_output IS NULL OR c.output_value >= $min_output)
MATCH (c)-[l:SUPPLIES]->(v:Firm)
WITH c, seg, l.confidence AS w, v
WHERE w >= $min_confidence AND w > 0
WITH c.id AS id, v.id AS other, w,
     CASE WHEN v.id IN $anchors THEN 1
          ELSE CASE WHEN any(s IN v.segments WHERE s IN seg.own) THEN 2 ELSE 0 END
             + CASE WHEN v.region IN $regions THEN 4 ELSE 0 END END AS role
WHERE role > 0
RETURN id, other, w, role
