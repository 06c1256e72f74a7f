// Whether the server is FalkorDB: its procedure list has db.idx.* procedures, which
// Neo4j 5 neither has nor lists with dbms.procedures(). No parameters.
CALL dbms.procedures() YIELD name
WITH name WHERE name STARTS WITH 'db.idx.'
RETURN count(name) AS falkordb_procedures
