// Every firm's id, names, aliases and region, for matching a name typed by a person
// (chaingraph.names) when no firm has it as its id. No parameters.
MATCH (f:Firm)
RETURN f.id AS id, f.name AS name, f.name_en AS name_en, f.aliases AS aliases, f.region AS region
