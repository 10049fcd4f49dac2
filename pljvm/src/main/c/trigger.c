/*-------------------------------------------------------------------------
 *
 * trigger.c
 *	  pljvm functions as triggers: the TriggerData Java sees, the natives
 *	  that read its rows, and the row a BEFORE trigger returns.
 *
 * What stays the same between firings (the trigger's name, arguments and
 * table, the table's live columns with their types) is built into Java
 * objects once per trigger and table definition and kept as global
 * references, dropped when the table's relcache entry is invalidated (ALTER
 * TABLE, CREATE or DROP TRIGGER).  The rows are never copied to Java:
 * TriggerRow asks for one value, or all texts, when Java reads them, and
 * the natives read them from the TriggerData of the call that is running,
 * found by its serial.  Java passes attribute numbers from its
 * TriggerColumns, so a rebuilt cache cannot shift what an older object
 * means; they are checked against the row's descriptor.
 *
 *-------------------------------------------------------------------------
 */
#include "pljvm.h"

#include "access/htup_details.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/typcache.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#define ENV pljvm_env

#define OLD_ROW 0
#define NEW_ROW 1
#define MAX_CACHED_TRIGGERS 8

/* Per table: its columns as Java sees them, and its triggers' fixed data. */
typedef struct TrigRel
{
	Oid			relid;			/* hash key */
	bool		valid;
	int			natts;			/* of the descriptor it was built from */
	jobject		columns;		/* global ref: TriggerColumns */
	int			ntriggers;
	Oid			tgoids[MAX_CACHED_TRIGGERS];
	jobject		infos[MAX_CACHED_TRIGGERS];	/* global refs: TriggerInfo */
} TrigRel;

/* Output functions by type, for the texts of row values. */
typedef struct TypeOut
{
	Oid			typid;			/* hash key */
	FmgrInfo	flinfo;
} TypeOut;

static HTAB *trig_rels = NULL;
static HTAB *type_outs = NULL;

static struct
{
	bool		ready;
	jclass		TriggerData, TriggerInfo, TriggerColumns, TriggerRow;
	jmethodID	TriggerData_init, TriggerInfo_init, TriggerColumns_init;
	jfieldID	TriggerRow_trigger, TriggerRow_which, TriggerRow_updates, TriggerRow_updated;
	jfieldID	TriggerColumns_attnums, TriggerColumns_codes;
} T;

static void
rel_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	TrigRel    *r;

	if (trig_rels == NULL)
		return;
	if (OidIsValid(relid))
	{
		r = hash_search(trig_rels, &relid, HASH_FIND, NULL);
		if (r != NULL)
			r->valid = false;
		return;
	}
	hash_seq_init(&status, trig_rels);
	while ((r = hash_seq_search(&status)) != NULL)
		r->valid = false;
}

/* Called from _PG_init: the caches and their invalidation. */
void
pljvm_trigger_init(void)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(TrigRel);
	trig_rels = hash_create("pljvm trigger tables", 32, &ctl, HASH_ELEM | HASH_BLOBS);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(TypeOut);
	ctl.hcxt = TopMemoryContext;
	type_outs = hash_create("pljvm output functions", 32, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	CacheRegisterRelcacheCallback(rel_invalidate, (Datum) 0);
}

/* The trigger classes, looked up at the first trigger call (not at JVM start). */
static void
trigger_refs(void)
{
	if (T.ready)
		return;
	T.TriggerData = pljvm_global_class(ENV, "org/pgqjava/pljvm/TriggerData");
	T.TriggerInfo = pljvm_global_class(ENV, "org/pgqjava/pljvm/TriggerInfo");
	T.TriggerColumns = pljvm_global_class(ENV, "org/pgqjava/pljvm/TriggerColumns");
	T.TriggerRow = pljvm_global_class(ENV, "org/pgqjava/pljvm/TriggerRow");
	T.TriggerData_init = (*ENV)->GetMethodID(ENV, T.TriggerData, "<init>",
											"(Lorg/pgqjava/pljvm/TriggerInfo;JIIZ)V");
	T.TriggerInfo_init = (*ENV)->GetMethodID(ENV, T.TriggerInfo, "<init>",
											"(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;J[Ljava/lang/String;Lorg/pgqjava/pljvm/TriggerColumns;)V");
	T.TriggerColumns_init = (*ENV)->GetMethodID(ENV, T.TriggerColumns, "<init>",
											   "([Ljava/lang/String;[Ljava/lang/String;[I[Z[I[I)V");
	T.TriggerRow_trigger = (*ENV)->GetFieldID(ENV, T.TriggerRow, "trigger", "Lorg/pgqjava/pljvm/TriggerData;");
	T.TriggerRow_which = (*ENV)->GetFieldID(ENV, T.TriggerRow, "which", "I");
	T.TriggerRow_updates = (*ENV)->GetFieldID(ENV, T.TriggerRow, "updates", "[Ljava/lang/Object;");
	T.TriggerRow_updated = (*ENV)->GetFieldID(ENV, T.TriggerRow, "updated", "[Z");
	T.TriggerColumns_attnums = (*ENV)->GetFieldID(ENV, T.TriggerColumns, "attnums", "[I");
	T.TriggerColumns_codes = (*ENV)->GetFieldID(ENV, T.TriggerColumns, "codes", "[I");
	if ((*ENV)->ExceptionCheck(ENV))
		pljvm_raise_jni_exception("pljvm trigger classes");
	T.ready = true;
}

static void
check(const char *what)
{
	if ((*ENV)->ExceptionCheck(ENV))
		pljvm_raise_jni_exception(what);
}

/* The type code a column's values are read with: composites come as text. */
static int
column_code(Oid typid)
{
	int			code = pljvm_type_code(typid);

	return code == T_RECORD || code == T_VOID ? T_OTHER : code;
}

/* Builds the TriggerColumns of a table from its descriptor. */
static jobject
build_columns(TupleDesc desc)
{
	int			n = 0;
	int			k = 0;
	jobjectArray names,
				types;
	jintArray	oids,
				attnums,
				codes;
	jbooleanArray generated;
	jint	   *o,
			   *a,
			   *c;
	jboolean   *g;
	jobject		result;

	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped)
			n++;
	names = (*ENV)->NewObjectArray(ENV, n, pljvm_refs.String, NULL);
	check("NewObjectArray");
	types = (*ENV)->NewObjectArray(ENV, n, pljvm_refs.String, NULL);
	check("NewObjectArray");
	oids = (*ENV)->NewIntArray(ENV, n);
	attnums = (*ENV)->NewIntArray(ENV, n);
	codes = (*ENV)->NewIntArray(ENV, n);
	generated = (*ENV)->NewBooleanArray(ENV, n);
	check("new array");
	o = palloc(sizeof(jint) * Max(n, 1));
	a = palloc(sizeof(jint) * Max(n, 1));
	c = palloc(sizeof(jint) * Max(n, 1));
	g = palloc(sizeof(jboolean) * Max(n, 1));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		char	   *tname;
		jstring		s;

		if (att->attisdropped)
			continue;
		s = pljvm_to_jstring(NameStr(att->attname), strlen(NameStr(att->attname)));
		(*ENV)->SetObjectArrayElement(ENV, names, k, s);
		(*ENV)->DeleteLocalRef(ENV, s);
		tname = format_type_with_typemod(att->atttypid, att->atttypmod);
		s = pljvm_to_jstring(tname, strlen(tname));
		(*ENV)->SetObjectArrayElement(ENV, types, k, s);
		(*ENV)->DeleteLocalRef(ENV, s);
		o[k] = (jint) att->atttypid;
		a[k] = (jint) att->attnum;
		c[k] = column_code(att->atttypid);
		g[k] = att->attgenerated == ATTRIBUTE_GENERATED_STORED ? JNI_TRUE : JNI_FALSE;
		k++;
	}
	(*ENV)->SetIntArrayRegion(ENV, oids, 0, n, o);
	(*ENV)->SetIntArrayRegion(ENV, attnums, 0, n, a);
	(*ENV)->SetIntArrayRegion(ENV, codes, 0, n, c);
	(*ENV)->SetBooleanArrayRegion(ENV, generated, 0, n, g);
	result = (*ENV)->NewObject(ENV, T.TriggerColumns, T.TriggerColumns_init, names, types, oids,
							   generated, attnums, codes);
	check("TriggerColumns");
	(*ENV)->DeleteLocalRef(ENV, names);
	(*ENV)->DeleteLocalRef(ENV, types);
	(*ENV)->DeleteLocalRef(ENV, oids);
	(*ENV)->DeleteLocalRef(ENV, attnums);
	(*ENV)->DeleteLocalRef(ENV, codes);
	(*ENV)->DeleteLocalRef(ENV, generated);
	return result;
}

/* The cache entry of the trigger's table, (re)built if it is not valid. */
static TrigRel *
trig_rel(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	bool		found;
	TrigRel    *r = hash_search(trig_rels, &relid, HASH_ENTER, &found);
	jobject		columns;

	if (!found)
	{
		r->valid = false;
		r->columns = NULL;
		r->ntriggers = 0;
	}
	if (r->valid && r->natts == RelationGetDescr(rel)->natts)
		return r;
	/* Java objects handed out earlier stay valid: they are immutable */
	if (r->columns != NULL)
		(*ENV)->DeleteGlobalRef(ENV, r->columns);
	r->columns = NULL;
	for (int i = 0; i < r->ntriggers; i++)
		(*ENV)->DeleteGlobalRef(ENV, r->infos[i]);
	r->ntriggers = 0;
	columns = build_columns(RelationGetDescr(rel));
	r->columns = (*ENV)->NewGlobalRef(ENV, columns);
	(*ENV)->DeleteLocalRef(ENV, columns);
	if (r->columns == NULL)
		pljvm_raise_jni_exception("NewGlobalRef");
	r->natts = RelationGetDescr(rel)->natts;
	r->valid = true;
	return r;
}

/* The TriggerInfo of the firing trigger (a local reference). */
static jobject
trigger_info(TrigRel *r, TriggerData *td)
{
	Trigger    *tg = td->tg_trigger;
	Relation	rel = td->tg_relation;
	char	   *schema = get_namespace_name(RelationGetNamespace(rel));
	char	   *table = RelationGetRelationName(rel);
	jstring		jname,
				jschema,
				jtable;
	jobjectArray args;
	jobject		info;

	for (int i = 0; i < r->ntriggers; i++)
		if (r->tgoids[i] == tg->tgoid)
			return (*ENV)->NewLocalRef(ENV, r->infos[i]);
	jname = pljvm_to_jstring(tg->tgname, strlen(tg->tgname));
	jschema = pljvm_to_jstring(schema, strlen(schema));
	jtable = pljvm_to_jstring(table, strlen(table));
	args = (*ENV)->NewObjectArray(ENV, tg->tgnargs, pljvm_refs.String, NULL);
	check("NewObjectArray");
	for (int i = 0; i < tg->tgnargs; i++)
	{
		jstring		s = pljvm_to_jstring(tg->tgargs[i], strlen(tg->tgargs[i]));

		(*ENV)->SetObjectArrayElement(ENV, args, i, s);
		(*ENV)->DeleteLocalRef(ENV, s);
	}
	info = (*ENV)->NewObject(ENV, T.TriggerInfo, T.TriggerInfo_init, jname, jschema, jtable,
							 (jlong) RelationGetRelid(rel), args, r->columns);
	check("TriggerInfo");
	(*ENV)->DeleteLocalRef(ENV, jname);
	(*ENV)->DeleteLocalRef(ENV, jschema);
	(*ENV)->DeleteLocalRef(ENV, jtable);
	(*ENV)->DeleteLocalRef(ENV, args);
	if (r->ntriggers < MAX_CACHED_TRIGGERS)
	{
		jobject		global = (*ENV)->NewGlobalRef(ENV, info);

		if (global == NULL)
			pljvm_raise_jni_exception("NewGlobalRef");
		r->tgoids[r->ntriggers] = tg->tgoid;
		r->infos[r->ntriggers++] = global;
	}
	return info;
}

/*
 * pljvm_trigger_fire
 *		Builds the TriggerData and calls the method (returns_row: it returns
 *		a TriggerRow, else void).  Returns what it returned (or NULL) and the
 *		TriggerData in *data.
 */
jobject
pljvm_trigger_fire(FunctionCallInfo fcinfo, PljvmCall *call, jclass cls, jmethodID mid,
				   bool returns_row, jobject *data)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TriggerEvent ev = td->tg_event;
	int			event = TRIGGER_FIRED_BY_INSERT(ev) ? 0 : TRIGGER_FIRED_BY_UPDATE(ev) ? 1
		: TRIGGER_FIRED_BY_DELETE(ev) ? 2 : 3;
	int			timing = TRIGGER_FIRED_BEFORE(ev) ? 0 : TRIGGER_FIRED_AFTER(ev) ? 1 : 2;
	jobject		info;
	jobject		result = NULL;

	trigger_refs();
	info = trigger_info(trig_rel(td->tg_relation), td);
	*data = (*ENV)->NewObject(ENV, T.TriggerData, T.TriggerData_init, info, (jlong) call->serial,
							  (jint) event, (jint) timing,
							  (jboolean) (TRIGGER_FIRED_FOR_ROW(ev) ? JNI_TRUE : JNI_FALSE));
	check("TriggerData");
	(*ENV)->DeleteLocalRef(ENV, info);
	call->trigdata = td;

	if (pljvm_watchdog_fired)
		pljvm_after_java(call);	/* a stale interrupt from an earlier call */
	pljvm_enter_java();
	if (returns_row)
		result = (*ENV)->CallStaticObjectMethod(ENV, cls, mid, *data);
	else
		(*ENV)->CallStaticVoidMethod(ENV, cls, mid, *data);
	pljvm_after_java(call);
	return result;
}

/* The row PostgreSQL gave the trigger as its old or new row. */
static HeapTuple
given_row(TriggerData *td, int which)
{
	TriggerEvent ev = td->tg_event;

	if (!TRIGGER_FIRED_FOR_ROW(ev))
		return NULL;
	if (which == OLD_ROW)
		return TRIGGER_FIRED_BY_UPDATE(ev) || TRIGGER_FIRED_BY_DELETE(ev) ? td->tg_trigtuple : NULL;
	if (TRIGGER_FIRED_BY_INSERT(ev))
		return td->tg_trigtuple;
	return TRIGGER_FIRED_BY_UPDATE(ev) ? td->tg_newtuple : NULL;
}

/*
 * pljvm_trigger_result
 *		The trigger function's result: for a row-level BEFORE or INSTEAD OF
 *		trigger the row to go on with (NULL skips the row), else NULL, which
 *		PostgreSQL ignores.  Runs after SPI_finish, in the caller's context.
 */
Datum
pljvm_trigger_result(FunctionCallInfo fcinfo, jobject data, jobject row, bool returns_row)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TriggerEvent ev = td->tg_event;
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	HeapTuple	tuple;
	jobject		owner;
	jobjectArray updates;
	jbooleanArray updated;
	jobject		columns;
	jintArray	jattnums,
				jcodes;
	int			n;
	jint	   *attnums,
			   *codes;
	jboolean   *set;
	Datum	   *values;
	bool	   *nulls,
			   *replace;

	if (!TRIGGER_FIRED_FOR_ROW(ev) || TRIGGER_FIRED_AFTER(ev))
		return PointerGetDatum(NULL);
	if (!returns_row)
		return PointerGetDatum(TRIGGER_FIRED_BY_DELETE(ev) ? td->tg_trigtuple : given_row(td, NEW_ROW));
	if (row == NULL)
		return PointerGetDatum(NULL);
	owner = (*ENV)->GetObjectField(ENV, row, T.TriggerRow_trigger);
	if (!(*ENV)->IsSameObject(ENV, owner, data))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("pljvm: trigger \"%s\" returned a row of another trigger call", td->tg_trigger->tgname),
				 errhint("Return trigger.newRow() or trigger.oldRow() of this call's TriggerData, changed or not, or null to skip the row.")));
	tuple = given_row(td, (*ENV)->GetIntField(ENV, row, T.TriggerRow_which));
	updates = (*ENV)->GetObjectField(ENV, row, T.TriggerRow_updates);
	if (updates == NULL)
		return PointerGetDatum(tuple);

	/* the changed row */
	updated = (*ENV)->GetObjectField(ENV, row, T.TriggerRow_updated);
	{
		jobject		info_columns = NULL;

		/* the columns the row was read with: TriggerData -> TriggerInfo -> TriggerColumns */
		jclass		dcls = (*ENV)->GetObjectClass(ENV, data);
		jfieldID	finfo = (*ENV)->GetFieldID(ENV, dcls, "info", "Lorg/pgqjava/pljvm/TriggerInfo;");
		jfieldID	fcols = (*ENV)->GetFieldID(ENV, T.TriggerInfo, "columns", "Lorg/pgqjava/pljvm/TriggerColumns;");
		jobject		info;

		check("TriggerData.info");
		info = (*ENV)->GetObjectField(ENV, data, finfo);
		info_columns = (*ENV)->GetObjectField(ENV, info, fcols);
		columns = info_columns;
	}
	jattnums = (*ENV)->GetObjectField(ENV, columns, T.TriggerColumns_attnums);
	jcodes = (*ENV)->GetObjectField(ENV, columns, T.TriggerColumns_codes);
	n = (*ENV)->GetArrayLength(ENV, jattnums);
	attnums = palloc(sizeof(jint) * Max(n, 1));
	codes = palloc(sizeof(jint) * Max(n, 1));
	set = palloc(sizeof(jboolean) * Max(n, 1));
	(*ENV)->GetIntArrayRegion(ENV, jattnums, 0, n, attnums);
	(*ENV)->GetIntArrayRegion(ENV, jcodes, 0, n, codes);
	(*ENV)->GetBooleanArrayRegion(ENV, updated, 0, n, set);
	values = palloc0(sizeof(Datum) * desc->natts);
	nulls = palloc0(sizeof(bool) * desc->natts);
	replace = palloc0(sizeof(bool) * desc->natts);
	for (int i = 0; i < n; i++)
	{
		Form_pg_attribute att;
		jobject		o;
		int			k = attnums[i] - 1;

		if (!set[i])
			continue;
		if (k < 0 || k >= desc->natts || TupleDescAttr(desc, k)->attisdropped)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("pljvm: the row trigger \"%s\" returned has columns the table no longer has",
							td->tg_trigger->tgname)));
		att = TupleDescAttr(desc, k);
		o = (*ENV)->GetObjectArrayElement(ENV, updates, i);
		replace[k] = true;
		if (o == NULL)
			nulls[k] = true;
		else
		{
			values[k] = pljvm_java_to_datum(o, codes[i], att->atttypid, att->atttypmod);
			(*ENV)->DeleteLocalRef(ENV, o);
		}
	}
	return PointerGetDatum(heap_modify_tuple(tuple, desc, values, nulls, replace));
}

/* ---- natives: the rows of a running trigger call */

/* The trigger call with this serial; an error if it has returned. */
static TriggerData *
running_trigger(jlong serial)
{
	PljvmCall  *c;

	for (c = pljvm_current_call; c != NULL && c->serial != (uint64) serial; c = c->prev)
		;
	if (c == NULL || c->trigdata == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pljvm: the rows of a trigger call can be read only while it runs"),
				 errhint("Read the values during the call and keep them, not the TriggerData or TriggerRow.")));
	return c->trigdata;
}

static HeapTuple
row_of(TriggerData *td, jint which)
{
	HeapTuple	tuple = given_row(td, which);

	if (tuple == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pljvm: trigger \"%s\" has no %s row", td->tg_trigger->tgname,
						which == OLD_ROW ? "old" : "new")));
	return tuple;
}

/* Checks an attribute number from Java against the row's descriptor. */
static Form_pg_attribute
column_of(TriggerData *td, jint attnum)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);

	if (attnum < 1 || attnum > desc->natts || TupleDescAttr(desc, attnum - 1)->attisdropped)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pljvm: column %d of table \"%s\" is not there any more", (int) attnum,
						RelationGetRelationName(td->tg_relation))));
	return TupleDescAttr(desc, attnum - 1);
}

/* The text output of a value, with the type's output function cached. */
static char *
value_cstring(Datum value, Oid typid)
{
	bool		found;
	TypeOut    *t = hash_search(type_outs, &typid, HASH_ENTER, &found);

	if (!found)
	{
		Oid			fn;
		bool		isvarlena;

		t->flinfo.fn_oid = InvalidOid;
		PG_TRY();
		{
			getTypeOutputInfo(typid, &fn, &isvarlena);
			fmgr_info_cxt(fn, &t->flinfo, TopMemoryContext);
		}
		PG_CATCH();
		{
			hash_search(type_outs, &typid, HASH_REMOVE, NULL);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return OutputFunctionCall(&t->flinfo, value);
}

static jstring
value_text(Datum value, Oid typid)
{
	char	   *s = value_cstring(value, typid);

	return pljvm_to_jstring(s, strlen(s));
}

/*
 * Two non-NULL values of a column equal by value: the type's default
 * equality operator with the column's collation (numeric 1.5 = 1.50); arrays,
 * whose generic operator needs one for the element type, and types without
 * one, by their text output.
 */
static bool
values_equal(Form_pg_attribute att, Datum d1, Datum d2)
{
	TypeCacheEntry *tc = lookup_type_cache(att->atttypid, TYPECACHE_EQ_OPR | TYPECACHE_EQ_OPR_FINFO);

	if (OidIsValid(tc->eq_opr) && tc->eq_opr != ARRAY_EQ_OP)
		return DatumGetBool(FunctionCall2Coll(&tc->eq_opr_finfo, att->attcollation, d1, d2));
	else
	{
		Oid			fn;
		bool		isvarlena;

		getTypeOutputInfo(att->atttypid, &fn, &isvarlena);
		return strcmp(OidOutputFunctionCall(fn, d1), OidOutputFunctionCall(fn, d2)) == 0;
	}
}

/* Whether a column differs between the old and the new row (see triggerChanges). */
static bool
column_changed(Form_pg_attribute att, Datum d1, bool n1, Datum d2, bool n2, bool by_value)
{
	if (n1 || n2)
		return n1 != n2;
	if (datumIsEqual(d1, d2, att->attbyval, att->attlen))
		return false;
	return by_value ? !values_equal(att, d1, d2) : true;
}

/* Java's attribute numbers, palloc'd */
static jint *
java_attnums(jintArray attnums, int *n)
{
	jint	   *a;

	*n = (*ENV)->GetArrayLength(ENV, attnums);
	a = palloc(sizeof(jint) * Max(*n, 1));
	(*ENV)->GetIntArrayRegion(ENV, attnums, 0, *n, a);
	return a;
}

/*
 * One value of a row for Java: converted by code, or its text if code is
 * -1; NULL for SQL NULL.
 */
static jobject
one_value(JNIEnv *env, jlong serial, jint which, jint attnum, jint code)
{
	volatile NativeScope scope;
	volatile jobject result = NULL;

	BEGIN_NATIVE(env, scope, NULL);
	{
		TriggerData *td = running_trigger(serial);
		HeapTuple	tuple = row_of(td, which);
		Form_pg_attribute att = column_of(td, attnum);
		bool		isnull;
		Datum		d = heap_getattr(tuple, attnum, RelationGetDescr(td->tg_relation), &isnull);
		MemoryContext old = MemoryContextSwitchTo(pljvm_scratch_context(scope.call));

		if (!isnull)
			result = code < 0 ? value_text(d, att->atttypid)
				: pljvm_datum_to_java(d, code, att->atttypid, false);
		MemoryContextSwitchTo(old);
		MemoryContextReset(scope.call->tmp_cxt);
	}
	END_NATIVE(env, scope);
	return result;
}

JNIEXPORT jobject JNICALL
Java_org_pgqjava_pljvm_internal_Natives_triggerValue(JNIEnv *env, jclass cls, jlong serial, jint which,
													 jint attnum, jint code)
{
	return one_value(env, serial, which, attnum, code);
}

JNIEXPORT jstring JNICALL
Java_org_pgqjava_pljvm_internal_Natives_triggerText(JNIEnv *env, jclass cls, jlong serial, jint which,
													jint attnum)
{
	return (jstring) one_value(env, serial, which, attnum, -1);
}

/*
 * The text of a date, timestamp or timestamptz as to_json writes it (ISO 8601
 * with a T, the offset as +hh:mm, in the session's time zone), without the
 * quotes; other types' text output.
 */
static char *
value_json_cstring(Datum value, Oid typid, char *buf)
{
	if (typid == DATEOID || typid == TIMESTAMPOID || typid == TIMESTAMPTZOID)
		return JsonEncodeDateTime(buf, value, typid, NULL);
	return value_cstring(value, typid);
}

static jstring
value_json_text(Datum value, Oid typid)
{
	char		buf[MAXDATELEN + 1];
	char	   *s = value_json_cstring(value, typid, buf);

	return pljvm_to_jstring(s, strlen(s));
}

JNIEXPORT jobjectArray JNICALL
Java_org_pgqjava_pljvm_internal_Natives_triggerTexts(JNIEnv *env, jclass cls, jlong serial, jint which,
													 jintArray attnums, jboolean json)
{
	volatile NativeScope scope;
	volatile jobjectArray result = NULL;

	BEGIN_NATIVE(env, scope, NULL);
	{
		TriggerData *td = running_trigger(serial);
		HeapTuple	tuple = row_of(td, which);
		TupleDesc	desc = RelationGetDescr(td->tg_relation);
		MemoryContext old = MemoryContextSwitchTo(pljvm_scratch_context(scope.call));
		int			n;
		jint	   *a = java_attnums(attnums, &n);
		jobjectArray texts = (*ENV)->NewObjectArray(ENV, n, pljvm_refs.String, NULL);
		Datum	   *values = palloc(sizeof(Datum) * desc->natts);
		bool	   *nulls = palloc(sizeof(bool) * desc->natts);

		check("NewObjectArray");
		heap_deform_tuple(tuple, desc, values, nulls);
		for (int i = 0; i < n; i++)
		{
			Form_pg_attribute att = column_of(td, a[i]);
			bool		isnull = nulls[a[i] - 1];
			Datum		d = values[a[i] - 1];

			if (!isnull)
			{
				jstring		s = json ? value_json_text(d, att->atttypid) : value_text(d, att->atttypid);

				(*ENV)->SetObjectArrayElement(ENV, texts, i, s);
				(*ENV)->DeleteLocalRef(ENV, s);
			}
		}
		result = texts;
		MemoryContextSwitchTo(old);
		MemoryContextReset(scope.call->tmp_cxt);
	}
	END_NATIVE(env, scope);
	return result;
}

JNIEXPORT jbooleanArray JNICALL
Java_org_pgqjava_pljvm_internal_Natives_triggerNulls(JNIEnv *env, jclass cls, jlong serial, jint which,
													 jintArray attnums)
{
	volatile NativeScope scope;
	volatile jbooleanArray result = NULL;

	BEGIN_NATIVE(env, scope, NULL);
	{
		TriggerData *td = running_trigger(serial);
		HeapTuple	tuple = row_of(td, which);
		MemoryContext old = MemoryContextSwitchTo(pljvm_scratch_context(scope.call));
		int			n;
		jint	   *a = java_attnums(attnums, &n);
		jboolean   *nulls = palloc(sizeof(jboolean) * Max(n, 1));
		jbooleanArray out = (*ENV)->NewBooleanArray(ENV, n);

		check("NewBooleanArray");
		for (int i = 0; i < n; i++)
		{
			(void) column_of(td, a[i]);
			nulls[i] = heap_attisnull(tuple, a[i], RelationGetDescr(td->tg_relation)) ? JNI_TRUE : JNI_FALSE;
		}
		(*ENV)->SetBooleanArrayRegion(ENV, out, 0, n, nulls);
		result = out;
		MemoryContextSwitchTo(old);
		MemoryContextReset(scope.call->tmp_cxt);
	}
	END_NATIVE(env, scope);
	return result;
}

JNIEXPORT jbooleanArray JNICALL
Java_org_pgqjava_pljvm_internal_Natives_triggerChanges(JNIEnv *env, jclass cls, jlong serial, jintArray attnums,
													   jboolean by_value)
{
	volatile NativeScope scope;
	volatile jbooleanArray result = NULL;

	BEGIN_NATIVE(env, scope, NULL);
	{
		TriggerData *td = running_trigger(serial);
		HeapTuple	oldtup = row_of(td, OLD_ROW);
		HeapTuple	newtup = row_of(td, NEW_ROW);
		TupleDesc	desc = RelationGetDescr(td->tg_relation);
		MemoryContext old = MemoryContextSwitchTo(pljvm_scratch_context(scope.call));
		int			n;
		jint	   *a = java_attnums(attnums, &n);
		jboolean   *changed = palloc(sizeof(jboolean) * Max(n, 1));
		jbooleanArray out = (*ENV)->NewBooleanArray(ENV, n);

		Datum	   *v1 = palloc(sizeof(Datum) * desc->natts);
		Datum	   *v2 = palloc(sizeof(Datum) * desc->natts);
		bool	   *n1 = palloc(sizeof(bool) * desc->natts);
		bool	   *n2 = palloc(sizeof(bool) * desc->natts);

		check("NewBooleanArray");
		/* both rows deformed once: heap_getattr per column walks the row again after a varlena */
		heap_deform_tuple(oldtup, desc, v1, n1);
		heap_deform_tuple(newtup, desc, v2, n2);
		for (int i = 0; i < n; i++)
			changed[i] = column_changed(column_of(td, a[i]), v1[a[i] - 1], n1[a[i] - 1], v2[a[i] - 1],
										n2[a[i] - 1], by_value);
		(*ENV)->SetBooleanArrayRegion(ENV, out, 0, n, changed);
		result = out;
		MemoryContextSwitchTo(old);
		MemoryContextReset(scope.call->tmp_cxt);
	}
	END_NATIVE(env, scope);
	return result;
}

/* One column of triggerChanges, for a trigger that compares a few columns only. */
JNIEXPORT jboolean JNICALL
Java_org_pgqjava_pljvm_internal_Natives_triggerChanged(JNIEnv *env, jclass cls, jlong serial, jint attnum,
													   jboolean by_value)
{
	volatile NativeScope scope;
	volatile jboolean result = JNI_FALSE;

	BEGIN_NATIVE(env, scope, JNI_FALSE);
	{
		TriggerData *td = running_trigger(serial);
		HeapTuple	oldtup = row_of(td, OLD_ROW);
		HeapTuple	newtup = row_of(td, NEW_ROW);
		TupleDesc	desc = RelationGetDescr(td->tg_relation);
		Form_pg_attribute att = column_of(td, attnum);
		MemoryContext old = MemoryContextSwitchTo(pljvm_scratch_context(scope.call));
		bool		n1,
					n2;
		Datum		d1 = heap_getattr(oldtup, attnum, desc, &n1);
		Datum		d2 = heap_getattr(newtup, attnum, desc, &n2);

		result = column_changed(att, d1, n1, d2, n2, by_value) ? JNI_TRUE : JNI_FALSE;
		MemoryContextSwitchTo(old);
		MemoryContextReset(scope.call->tmp_cxt);
	}
	END_NATIVE(env, scope);
	return result;
}

/*
 * triggerTextBlock: the texts of the given columns of a row as one Java
 * String, each value's [start, end) in UTF-16 units into bounds (-1, -1 for
 * NULL): one string for the JVM to make instead of one per column.  json as
 * for triggerTexts.
 */
JNIEXPORT jstring JNICALL
Java_org_pgqjava_pljvm_internal_Natives_triggerTextBlock(JNIEnv *env, jclass cls, jlong serial, jint which,
														 jintArray attnums, jboolean json, jintArray bounds)
{
	volatile NativeScope scope;
	volatile jstring result = NULL;

	BEGIN_NATIVE(env, scope, NULL);
	{
		TriggerData *td = running_trigger(serial);
		HeapTuple	tuple = row_of(td, which);
		TupleDesc	desc = RelationGetDescr(td->tg_relation);
		MemoryContext old = MemoryContextSwitchTo(pljvm_scratch_context(scope.call));
		int			n;
		jint	   *a = java_attnums(attnums, &n);
		jint	   *b = palloc(sizeof(jint) * Max(2 * n, 1));
		Datum	   *values = palloc(sizeof(Datum) * desc->natts);
		bool	   *nulls = palloc(sizeof(bool) * desc->natts);
		bool		utf8_server = GetDatabaseEncoding() == PG_UTF8;
		bool		ascii = true;
		int			units = 0;	/* UTF-16 units so far */
		StringInfoData buf;		/* the values, UTF-8 */

		if ((*ENV)->GetArrayLength(ENV, bounds) < 2 * n)
			elog(ERROR, "pljvm: triggerTextBlock: bounds too short");
		initStringInfo(&buf);
		heap_deform_tuple(tuple, desc, values, nulls);
		for (int i = 0; i < n; i++)
		{
			Form_pg_attribute att = column_of(td, a[i]);
			char		dbuf[MAXDATELEN + 1];
			char	   *s;
			char	   *u;
			int			len;

			if (nulls[a[i] - 1])
			{
				b[2 * i] = b[2 * i + 1] = -1;
				continue;
			}
			s = json ? value_json_cstring(values[a[i] - 1], att->atttypid, dbuf)
				: value_cstring(values[a[i] - 1], att->atttypid);
			len = strlen(s);
			u = utf8_server ? s : pg_server_to_any(s, len, PG_UTF8);
			if (u != s)
				len = strlen(u);
			b[2 * i] = units;
			for (int k = 0; k < len; k++)
			{
				unsigned char c = (unsigned char) u[k];

				if (c >= 0x80)
					ascii = false;
				/* a UTF-16 unit per character; two for one of four bytes */
				if ((c & 0xC0) != 0x80)
					units += (c >= 0xF0) ? 2 : 1;
			}
			b[2 * i + 1] = units;
			appendBinaryStringInfo(&buf, u, len);
		}
		(*ENV)->SetIntArrayRegion(ENV, bounds, 0, 2 * n, b);
		if (ascii)
		{
			jchar	   *chars = palloc(sizeof(jchar) * Max(buf.len, 1));

			for (int k = 0; k < buf.len; k++)
				chars[k] = (jchar) (unsigned char) buf.data[k];
			result = (*ENV)->NewString(ENV, chars, buf.len);
			check("NewString");
		}
		else
			result = pljvm_utf8_to_jstring(buf.data, buf.len);
		MemoryContextSwitchTo(old);
		MemoryContextReset(scope.call->tmp_cxt);
	}
	END_NATIVE(env, scope);
	return result;
}
