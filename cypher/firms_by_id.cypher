// Every attribute of the given firms. Parameters: $ids
UNWIND $ids AS firm_id
MATCH (f:Firm {id: firm_id})
RETURN f.id AS id, f.name AS name, f.name_en AS name_en, f.region AS region,
       f.segments AS segments, f.anchor AS anchor, f.output_value AS output_value,
       f.employees AS employees, f.listed AS listed, f.credit_code AS credit_code,
       f.lat AS lat, f.lon AS lon, f.source AS source, f.extra AS extra, f.aliases AS aliases, f.parent AS parent, f.seq AS seq
