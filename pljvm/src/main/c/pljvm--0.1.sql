/* pljvm--0.1.sql: the language and the jar store. */
\echo Use "CREATE EXTENSION pljvm" to load this file. \quit

CREATE FUNCTION pljvm.pljvm_call_handler() RETURNS language_handler
	AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION pljvm.pljvm_validator(oid) RETURNS void
	AS 'MODULE_PATHNAME' LANGUAGE C STRICT;
-- Not TRUSTED: Java code can do anything the postgres OS user can.
CREATE LANGUAGE pljvm HANDLER pljvm.pljvm_call_handler VALIDATOR pljvm.pljvm_validator;

-- Jars, stored in the database so that no file access to the server is needed.
CREATE TABLE pljvm.jar (
	jar_name	 text PRIMARY KEY CHECK (jar_name ~ '^[A-Za-z0-9_.-]+$'),
	jar_bytes	 bytea NOT NULL,
	jar_sha256	 text NOT NULL,
	installed_at timestamptz NOT NULL DEFAULT now()
);
-- Class path per schema; schema_name '' is the global class path.
CREATE TABLE pljvm.classpath (
	schema_name	text PRIMARY KEY,
	jar_names	text[] NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('pljvm.jar', '');
SELECT pg_catalog.pg_extension_config_dump('pljvm.classpath', '');

CREATE FUNCTION pljvm._jars_changed() RETURNS void
	AS 'MODULE_PATHNAME', 'pljvm_jars_changed' LANGUAGE C;

/*
 * pljvm.install_jar(jar_name, jar_bytes): installs a jar, or replaces the jar
 * of that name.  Backends load it at their next pljvm call after commit.
 */
CREATE FUNCTION pljvm.install_jar(jar_name text, jar_bytes bytea) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
	IF jar_name IS NULL OR jar_bytes IS NULL THEN
		RAISE EXCEPTION 'pljvm: jar name and bytes must not be null'
			USING ERRCODE = '22004', HINT = 'Call pljvm.install_jar(''name'', pg_read_binary_file(''/path/x.jar'')).';
	END IF;
	IF jar_name !~ '^[A-Za-z0-9_.-]+$' THEN
		RAISE EXCEPTION 'pljvm: invalid jar name "%"', jar_name
			USING ERRCODE = '22023', HINT = 'Use letters, digits, "_", "." and "-".';
	END IF;
	IF length(jar_bytes) < 4 OR substring(jar_bytes FROM 1 FOR 4) <> '\x504b0304'::bytea THEN
		RAISE EXCEPTION 'pljvm: "%" is not a jar file', jar_name
			USING ERRCODE = '22023', DETAIL = 'A jar is a zip file and starts with PK\003\004.',
			HINT = 'Pass the bytes of a jar built by the jar tool or Maven.';
	END IF;
	INSERT INTO pljvm.jar AS j (jar_name, jar_bytes, jar_sha256)
		VALUES (install_jar.jar_name, install_jar.jar_bytes, encode(sha256(install_jar.jar_bytes), 'hex'))
		ON CONFLICT ON CONSTRAINT jar_pkey DO UPDATE
		SET jar_bytes = excluded.jar_bytes, jar_sha256 = excluded.jar_sha256, installed_at = now();
	PERFORM pljvm._jars_changed();
END;
$$;

/* pljvm.remove_jar(jar_name): removes a jar that no class path uses. */
CREATE FUNCTION pljvm.remove_jar(jar_name text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
	users text;
BEGIN
	SELECT string_agg(quote_literal(c.schema_name), ', ') INTO users
		FROM pljvm.classpath c WHERE remove_jar.jar_name = ANY (c.jar_names);
	IF users IS NOT NULL THEN
		RAISE EXCEPTION 'pljvm: jar "%" is on the class path of schema %', jar_name, users
			USING ERRCODE = '2BP01', HINT = 'Change the class path first with pljvm.set_classpath.';
	END IF;
	DELETE FROM pljvm.jar j WHERE j.jar_name = remove_jar.jar_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'pljvm: jar "%" is not installed', jar_name USING ERRCODE = '42704';
	END IF;
	PERFORM pljvm._jars_changed();
END;
$$;

/*
 * pljvm.set_classpath(schema_name, jar_names): the jars, in order, in which
 * the classes of pljvm functions of that schema are looked up.  '' sets the
 * global class path, used by schemas without their own.  NULL or an empty
 * array removes the entry.
 */
CREATE FUNCTION pljvm.set_classpath(schema_name text, jar_names text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
	missing text;
BEGIN
	IF schema_name IS NULL THEN
		RAISE EXCEPTION 'pljvm: schema name must not be null'
			USING ERRCODE = '22004', HINT = 'Use '''' for the global class path.';
	END IF;
	IF jar_names IS NULL OR cardinality(jar_names) = 0 THEN
		DELETE FROM pljvm.classpath c WHERE c.schema_name = set_classpath.schema_name;
	ELSE
		SELECT string_agg(quote_literal(n), ', ') INTO missing
			FROM unnest(jar_names) AS n
			WHERE n IS NULL OR NOT EXISTS (SELECT 1 FROM pljvm.jar j WHERE j.jar_name = n);
		IF missing IS NOT NULL THEN
			RAISE EXCEPTION 'pljvm: jar % is not installed', missing
				USING ERRCODE = '42704', HINT = 'Install it first with pljvm.install_jar.';
		END IF;
		INSERT INTO pljvm.classpath AS c VALUES (set_classpath.schema_name, set_classpath.jar_names)
			ON CONFLICT ON CONSTRAINT classpath_pkey DO UPDATE SET jar_names = excluded.jar_names;
	END IF;
	PERFORM pljvm._jars_changed();
END;
$$;

REVOKE ALL ON FUNCTION pljvm._jars_changed(), pljvm.install_jar(text, bytea),
	pljvm.remove_jar(text), pljvm.set_classpath(text, text[]) FROM PUBLIC;
REVOKE ALL ON pljvm.jar, pljvm.classpath FROM PUBLIC;
