// Ids of the firms that supply any of the given anchors. Parameters: $ids
UNWIND $ids AS firm_id
MATCH (s:Firm)-[:SUPPLIES]->(:Firm {id: firm_id})
RETURN DISTINCT s.id AS id
