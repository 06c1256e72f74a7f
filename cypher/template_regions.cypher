// Every region (the tree is small: thousands of nodes at most). No parameters.
MATCH (r:Region)
RETURN r.id AS id, r.name AS name, r.name_en AS name_en, r.parent AS parent, r.level AS level,
       r.lat AS lat, r.lon AS lon, r.seq AS seq
ORDER BY seq
