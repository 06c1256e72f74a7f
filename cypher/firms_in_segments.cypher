// Ids of the firms with any of the given segments. Parameters: $segments
UNWIND $segments AS segment_id
MATCH (f:Firm)-[:IN_SEGMENT]->(:Segment {id: segment_id})
RETURN DISTINCT f.id AS id
