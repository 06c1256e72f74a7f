// Every attribute of the firms in the given regions (index seeks on Firm.region): all of them
// when $all is true, else only those with a segment in $segments (filtered on the server, so
// only the firms a context keeps cross the wire). Parameters: $regions, $segments, $all
UNWIND $regions AS region_id
MATCH (f:Firm {region: region_id})
WHERE $all OR any(s IN f.segments WHERE s IN $segments)
RETURN f.id AS id, f.name AS name, f.name_en AS name_en, f.region AS region,
       f.segments AS segments, f.anchor AS anchor, f.output_value AS output_value,
       f.employees AS employees, f.listed AS listed, f.credit_code AS credit_code,
       f.lat AS lat, f.lon AS lon, f.source AS source, f.extra AS extra, f.aliases AS aliases, f.parent AS parent, f.seq AS seq
