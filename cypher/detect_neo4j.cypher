// Name, versions and edition of a Neo4j server; FalkorDB has no such procedure. No parameters.
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions, edition
