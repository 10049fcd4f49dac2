/*-------------------------------------------------------------------------
 *
 * pljvm.c
 *	  The pljvm language: call handler, validator, function cache.
 *
 * A pljvm function's body names a public static Java method
 * ('pkg.Class.method').  The handler resolves it once (Java reflection, in
 * Resolver), caches the jmethodID per function, and calls it through JNI
 * with the arguments converted by SQL type.
 *
 *-------------------------------------------------------------------------
 */
#include "pljvm.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

PG_MODULE_MAGIC;

#define ENV pljvm_env
#define R pljvm_refs

PljvmCall  *pljvm_current_call = NULL;
uint64		pljvm_relcache_invals = 0;	/* relcache invalidations taken in (Pg.relationInvalidations) */
volatile sig_atomic_t pljvm_in_java = 0;
volatile sig_atomic_t pljvm_watchdog_fired = 0;
pthread_mutex_t pljvm_watchdog_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * ArgText: the Java String of a short text argument, kept while the same
 * value keeps coming.  A producer passes the same queue name and event type
 * call after call; reusing the String saves building one (and, in Java, its
 * hash code) every call.  The bytes of the last value are remembered; the
 * String is kept (a global ref) from the second call in a row with the same
 * bytes on, so an argument that changes every call costs a memcmp only.
 */
#define ARG_TEXT_MAX 64
typedef struct ArgText
{
	int			len;			/* of bytes; -1: nothing remembered */
	jstring		str;			/* global ref, or NULL */
	char		bytes[ARG_TEXT_MAX];
} ArgText;

/* Everything the handler needs to call one function, cached by its oid. */
typedef struct FnInfo
{
	Oid			oid;			/* hash key */
	bool		valid;			/* cleared by pg_proc invalidation */
	int			generation;		/* loader generation it was resolved in */
	jclass		cls;			/* global ref: keeps the class loaded */
	jmethodID	mid;
	int			nargs;
	Oid			argtypes[FUNC_MAX_ARGS];
	int			argcodes[FUNC_MAX_ARGS];
	int			argkinds[FUNC_MAX_ARGS];
	Oid			rettype;
	int			retcode;
	int			retkind;
	bool		retset;
	bool		read_only;
	ArgText    *texts;			/* per argument (TopMemoryContext), or NULL */
} FnInfo;

static HTAB *fn_cache = NULL;
static uint64 call_serial = 0;	/* of the last call begun (PljvmCall.serial) */
static int	loader_generation = 1;
static bool jars_stale = false;
static Oid	jar_relid = InvalidOid;
static Oid	jar_owner = InvalidOid;	/* owner of pljvm.jar: reads the jars */

/*
 * JarReader: the jar tables are readable by their owner only (the jars are
 * code), so the Java side reads them with the owner's rights.  Only our own
 * Loaders/Resolver run then: Resolver does not initialize user classes, so
 * no user code runs with these rights.
 */
typedef struct JarReader
{
	Oid			user;
	int			context;
} JarReader;

static void
jar_reader_begin(JarReader *r)
{
	GetUserIdAndSecContext(&r->user, &r->context);
	if (OidIsValid(jar_owner))
		SetUserIdAndSecContext(jar_owner, r->context | SECURITY_LOCAL_USERID_CHANGE);
}

static void
jar_reader_end(JarReader *r)
{
	SetUserIdAndSecContext(r->user, r->context);
}

/* Looks up pljvm.jar and its owner, once per backend. */
static void
find_jar_table(void)
{
	HeapTuple	tup;

	if (OidIsValid(jar_relid))
		return;
	jar_relid = get_relname_relid("jar", get_namespace_oid("pljvm", true));
	if (!OidIsValid(jar_relid))
		return;
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(jar_relid));
	if (HeapTupleIsValid(tup))
	{
		jar_owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
		ReleaseSysCache(tup);
	}
}

PG_FUNCTION_INFO_V1(pljvm_call_handler);
PG_FUNCTION_INFO_V1(pljvm_validator);
PG_FUNCTION_INFO_V1(pljvm_jars_changed);

/*
 * fn_invalidate
 *		pg_proc changed: resolve every function again at its next call.
 */
static void
fn_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	FnInfo	   *fn;

	if (fn_cache == NULL)
		return;
	hash_seq_init(&status, fn_cache);
	while ((fn = hash_seq_search(&status)) != NULL)
		fn->valid = false;
}

/*
 * jars_invalidate
 *		pljvm.install_jar and friends send a relcache invalidation of
 *		pljvm.jar at commit; the next call re-reads the jar digests.  Every
 *		relcache invalidation is counted, for Pg.relationInvalidations.
 */
static void
jars_invalidate(Datum arg, Oid relid)
{
	pljvm_relcache_invals++;
	if (relid == InvalidOid || relid == jar_relid || jar_relid == InvalidOid)
		jars_stale = true;
}

void		_PG_init(void);

void
_PG_init(void)
{
	HASHCTL		ctl;

	pljvm_define_gucs();
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(FnInfo);
	fn_cache = hash_create("pljvm functions", 64, &ctl, HASH_ELEM | HASH_BLOBS);
	CacheRegisterSyscacheCallback(PROCOID, fn_invalidate, (Datum) 0);
	CacheRegisterRelcacheCallback(jars_invalidate, (Datum) 0);
	pljvm_trigger_init();
	if (process_shared_preload_libraries_in_progress)
		pljvm_preload_libjvm();
}

/*
 * pljvm_after_java
 *		After every call into Java from the handler: clear a watchdog
 *		interrupt, then raise the call's pending SQL error, a pending
 *		PostgreSQL interrupt, or the Java exception, in that order.
 */
void
pljvm_after_java(PljvmCall *call)
{
	jthrowable	exc;

	bool		fired;

	/* leave Java under the watchdog's lock: an interrupt it sent is recorded */
	pthread_mutex_lock(&pljvm_watchdog_lock);
	(void) pljvm_suspend_java();
	fired = pljvm_watchdog_fired;
	pljvm_watchdog_fired = 0;
	pthread_mutex_unlock(&pljvm_watchdog_lock);
	if (fired)
	{
		jthrowable	keep = (*ENV)->ExceptionOccurred(ENV);

		(*ENV)->ExceptionClear(ENV);
		(*ENV)->CallStaticVoidMethod(ENV, R.Backend, R.Backend_clearInterrupt);
		(*ENV)->ExceptionClear(ENV);
		if (keep != NULL)
			(*ENV)->Throw(ENV, keep);
	}
	exc = (*ENV)->ExceptionOccurred(ENV);
	if (call->pending_error != NULL)
	{
		if (exc != NULL)
			(*ENV)->ExceptionClear(ENV);
		else
			ereport(WARNING,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("pljvm: Java code caught an SQL error and returned normally; raising the error now")));
		ReThrowError(call->pending_error);
	}
	if (exc == NULL)
		return;
	(*ENV)->ExceptionClear(ENV);
	CHECK_FOR_INTERRUPTS();		/* a cancel wins over the InterruptedException it caused */
	{
		jobjectArray fields = (*ENV)->CallStaticObjectMethod(ENV, R.Errors, R.Errors_describe, exc);
		char	   *f[4] = {NULL, NULL, NULL, NULL};

		if ((*ENV)->ExceptionCheck(ENV) || fields == NULL)
		{
			/* e.g. OutOfMemoryError while describing an OutOfMemoryError */
			(*ENV)->ExceptionClear(ENV);
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("pljvm: Java threw an exception that could not be described (out of memory?)")));
		}
		for (int i = 0; i < 4; i++)
		{
			jstring		s = (*ENV)->GetObjectArrayElement(ENV, fields, i);

			if (s != NULL)
			{
				f[i] = pljvm_from_jstring(s);
				(*ENV)->DeleteLocalRef(ENV, s);
			}
		}
		(*ENV)->DeleteLocalRef(ENV, fields);
		(*ENV)->DeleteLocalRef(ENV, exc);
		ereport(ERROR,
				(errcode(MAKE_SQLSTATE(f[0][0], f[0][1], f[0][2], f[0][3], f[0][4])),
				 errmsg_internal("%s", f[1]),
				 f[2] ? errdetail_internal("%s", f[2]) : 0,
				 f[3] ? errhint("%s", f[3]) : 0));
	}
}

/*
 * check_types
 *		Refuses signatures pljvm cannot call: pseudo-type arguments (but
 *		types without a Java mapping pass as their text form), event trigger
 *		and pseudo-type results other than trigger, void and record, and
 *		declared arguments of a trigger function.
 */
static void
check_types(Form_pg_proc proc)
{
	for (int i = 0; i < proc->pronargs; i++)
	{
		Oid			t = proc->proargtypes.values[i];

		if (get_typtype(t) == TYPTYPE_PSEUDO || pljvm_type_code(t) == T_RECORD)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("pljvm functions cannot take type %s", format_type_be(t)),
					 errhint("Use concrete types; types without a Java mapping are passed as String in their text form.")));
	}
	if (proc->prorettype == TRIGGEROID && proc->pronargs > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("trigger functions cannot have declared arguments"),
				 errhint("The arguments of CREATE TRIGGER reach Java as TriggerData.arguments().")));
	if (proc->prorettype == EVENT_TRIGGEROID ||
		(get_typtype(proc->prorettype) == TYPTYPE_PSEUDO && proc->prorettype != TRIGGEROID &&
		 proc->prorettype != VOIDOID && proc->prorettype != RECORDOID))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("pljvm functions cannot return type %s", format_type_be(proc->prorettype)),
				 errhint("Return a concrete type, void, a composite type, record with OUT parameters, or SETOF.")));
}

/*
 * resolve
 *		Fills fn from the pg_proc row and the Java method Resolver picks.
 *		Runs Java (which may run SQL to load jars) inside the current call.
 */
static void
resolve(FnInfo *fn, HeapTuple proctup, PljvmCall *call)
{
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(proctup);
	bool		isnull;
	Datum		src = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_prosrc, &isnull);
	char	   *target = TextDatumGetCString(src);
	char	   *schema = get_namespace_name(proc->pronamespace);
	jintArray	codes;
	jobjectArray res;
	jobject		method;
	jintArray	kinds;
	jint		k[FUNC_MAX_ARGS + 1];
	jobject		cls;

	if (fn->cls != NULL)
	{
		(*ENV)->DeleteGlobalRef(ENV, fn->cls);
		fn->cls = NULL;
	}
	if (fn->texts != NULL)
	{
		for (int i = 0; i < fn->nargs; i++)
			if (fn->texts[i].str != NULL)
				(*ENV)->DeleteGlobalRef(ENV, fn->texts[i].str);
		pfree(fn->texts);
		fn->texts = NULL;
	}
	fn->valid = false;
	fn->nargs = proc->pronargs;
	fn->rettype = proc->prorettype;
	fn->retset = proc->proretset;
	fn->read_only = proc->provolatile != PROVOLATILE_VOLATILE;
	check_types(proc);
	for (int i = 0; i < fn->nargs; i++)
	{
		fn->argtypes[i] = proc->proargtypes.values[i];
		fn->argcodes[i] = pljvm_type_code(fn->argtypes[i]);
	}
	fn->retcode = fn->rettype == TRIGGEROID ? T_TRIGGER : pljvm_type_code(fn->rettype);
	for (int i = 0; i < fn->nargs; i++)
		if (fn->argtypes[i] == TEXTOID || fn->argtypes[i] == VARCHAROID)
		{
			fn->texts = MemoryContextAllocZero(TopMemoryContext, sizeof(ArgText) * fn->nargs);
			for (int j = 0; j < fn->nargs; j++)
				fn->texts[j].len = -1;
			break;
		}

	codes = (*ENV)->NewIntArray(ENV, fn->nargs);
	if (codes == NULL)
		pljvm_raise_jni_exception("NewIntArray");
	(*ENV)->SetIntArrayRegion(ENV, codes, 0, fn->nargs, (jint *) fn->argcodes);
	{
		jstring		jschema = pljvm_to_jstring(schema, strlen(schema));
		jstring		jtarget = pljvm_to_jstring(target, strlen(target));
		JarReader	reader;

		find_jar_table();
		jar_reader_begin(&reader);
		pljvm_enter_java();
		res = (*ENV)->CallStaticObjectMethod(ENV, R.Resolver, R.Resolver_resolve, jschema, jtarget,
											 codes, (jint) fn->retcode, (jboolean) fn->retset);
		jar_reader_end(&reader);
	}
	pljvm_after_java(call);

	method = (*ENV)->GetObjectArrayElement(ENV, res, 0);
	kinds = (*ENV)->GetObjectArrayElement(ENV, res, 1);
	(*ENV)->GetIntArrayRegion(ENV, kinds, 0, fn->nargs + 1, k);
	for (int i = 0; i < fn->nargs; i++)
		fn->argkinds[i] = k[i];
	fn->retkind = k[fn->nargs];
	fn->mid = (*ENV)->FromReflectedMethod(ENV, method);
	cls = (*ENV)->CallObjectMethod(ENV, method, R.Method_getDeclaringClass);
	if ((*ENV)->ExceptionCheck(ENV) || fn->mid == NULL)
		pljvm_raise_jni_exception("method lookup");
	fn->cls = (*ENV)->NewGlobalRef(ENV, cls);
	fn->generation = loader_generation;
	fn->valid = true;
}

/*
 * lookup
 *		The FnInfo of the function being called, resolved if needed.
 */
static FnInfo *
lookup(FunctionCallInfo fcinfo, PljvmCall *call)
{
	Oid			oid = fcinfo->flinfo->fn_oid;
	FnInfo	   *volatile fn = (FnInfo *) fcinfo->flinfo->fn_extra;
	bool		found;
	HeapTuple	proctup;

	if (fn != NULL && fn->valid && fn->generation == loader_generation)
		return fn;
	fn = hash_search(fn_cache, &oid, HASH_ENTER, &found);
	if (!found)
	{
		memset(((char *) fn) + sizeof(Oid), 0, sizeof(FnInfo) - sizeof(Oid));
	}
	if (!fn->valid || fn->generation != loader_generation)
	{
		proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(oid));
		if (!HeapTupleIsValid(proctup))
			elog(ERROR, "cache lookup failed for function %u", oid);
		PG_TRY();
		{
			resolve(fn, proctup, call);
		}
		PG_FINALLY();
		{
			ReleaseSysCache(proctup);
		}
		PG_END_TRY();
	}
	fcinfo->flinfo->fn_extra = fn;
	return fn;
}

/*
 * refresh_jars
 *		After an invalidation of pljvm.jar: let Java compare digests; a new
 *		loader generation makes every function resolve again.
 */
static void
refresh_jars(PljvmCall *call)
{
	jint		gen;

	JarReader	reader;

	find_jar_table();
	if (!jars_stale)
		return;
	jars_stale = false;
	jar_reader_begin(&reader);
	pljvm_enter_java();
	gen = (*ENV)->CallStaticIntMethod(ENV, R.Loaders, R.Loaders_refresh);
	jar_reader_end(&reader);
	pljvm_after_java(call);
	loader_generation = gen;
}

/*
 * text_arg
 *		A text or varchar argument as a Java String, through fn->texts (see
 *		ArgText).
 */
static jobject
text_arg(FnInfo *fn, int i, Datum d)
{
	ArgText    *t = &fn->texts[i];
	struct varlena *v;
	int			len;
	const char *bytes;
	jstring		s;

	/* a long value is not fetched or decompressed twice just to learn that it is long */
	if (toast_raw_datum_size(d) - VARHDRSZ > ARG_TEXT_MAX)
		return pljvm_datum_to_java(d, T_TEXT, fn->argtypes[i], false);
	v = (struct varlena *) PG_DETOAST_DATUM_PACKED(d);
	len = VARSIZE_ANY_EXHDR(v);
	bytes = VARDATA_ANY(v);
	if (len > ARG_TEXT_MAX)
		return pljvm_datum_to_java(d, T_TEXT, fn->argtypes[i], false);
	if (t->len == len && memcmp(t->bytes, bytes, len) == 0)
	{
		if (t->str != NULL)
			return (*ENV)->NewLocalRef(ENV, t->str);
		/* the second time in a row: keep it */
		s = pljvm_to_jstring(bytes, len);
		t->str = (*ENV)->NewGlobalRef(ENV, s);	/* NULL (out of memory): not kept */
		return s;
	}
	if (t->str != NULL)
	{
		(*ENV)->DeleteGlobalRef(ENV, t->str);
		t->str = NULL;
	}
	memcpy(t->bytes, bytes, len);
	t->len = len;
	return pljvm_to_jstring(bytes, len);
}

/* Converts argument i for the Java call. */
static jvalue
java_arg(FnInfo *fn, FunctionCallInfo fcinfo, int i)
{
	jvalue		v;
	Datum		d = fcinfo->args[i].value;
	int			code = fn->argcodes[i];

	if (fcinfo->args[i].isnull)
	{
		if (fn->argkinds[i] == KIND_PRIMITIVE)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("pljvm: NULL passed to primitive parameter %d of %s", i + 1,
							format_procedure(fn->oid)),
					 errhint("Declare the function STRICT, or use the boxed type (Long for long) in Java.")));
		v.l = NULL;
		return v;
	}
	if (fn->argkinds[i] == KIND_SQLARG)
	{
		int			ndims = -1;
		int			length = -1;

		if (type_is_array(fn->argtypes[i]))
		{
			/* the header only (an expanded array stays expanded; a toasted one is read) */
			AnyArrayType *a = DatumGetAnyArrayP(d);

			ndims = AARR_NDIM(a);
			length = ArrayGetNItems(ndims, AARR_DIMS(a));
		}
		v.l = (*ENV)->NewObject(ENV, R.SqlArg, R.SqlArg_init, (jlong) pljvm_current_call->serial,
								(jint) i, (jint) ndims, (jint) length);
		if (v.l == NULL)
			pljvm_raise_jni_exception("SqlArg");
		return v;
	}
	if (code == T_TEXT && fn->texts != NULL && fn->argtypes[i] != NAMEOID)
	{
		v.l = text_arg(fn, i, d);
		return v;
	}
	if (fn->argkinds[i] != KIND_PRIMITIVE || (code & T_ARRAY))
	{
		v.l = pljvm_datum_to_java(d, code, fn->argtypes[i], fn->argkinds[i] == KIND_PRIMITIVE);
		return v;
	}
	switch (code)
	{
		case T_INT2:
			v.s = DatumGetInt16(d);
			break;
		case T_INT4:
			v.i = DatumGetInt32(d);
			break;
		case T_INT8:
			v.j = DatumGetInt64(d);
			break;
		case T_FLOAT4:
			v.f = DatumGetFloat4(d);
			break;
		case T_FLOAT8:
			v.d = DatumGetFloat8(d);
			break;
		default:
			v.z = DatumGetBool(d) ? JNI_TRUE : JNI_FALSE;
			break;
	}
	return v;
}

/* Ends SPI use of the call (normal path only: errors leave it to abort). */
static void
finish_spi(PljvmCall *call)
{
	if (call->spi_connected)
	{
		call->spi_connected = false;
		if (SPI_finish() != SPI_OK_FINISH)
			elog(ERROR, "pljvm: SPI_finish failed");
	}
	MemoryContextSwitchTo(call->entry_cxt);
}

/*
 * Rows fetched per cursor step for SqlRows.  Small on purpose: each chunk is
 * allocated and freed again, and 1000 wide rows (~250 kB) cost page faults
 * and cache misses that 50 do not (measured: -55 % CPU for 1000-row batches).
 */
#define SQLROWS_CHUNK 50

/* Checks that a query's rows fit the function's result descriptor. */
static void
check_rows_desc(TupleDesc got, TupleDesc want)
{
	bool		ok = got->natts == want->natts;

	for (int i = 0; ok && i < want->natts; i++)
		ok = TupleDescAttr(got, i)->atttypid == TupleDescAttr(want, i)->atttypid;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("pljvm: the query of SqlRows returns columns that do not match the function's result type")));
}

/*
 * sqlrows_to_store
 *		Runs the query of a SqlRows and puts its rows into the result,
 *		through a cursor in chunks when the query allows one.  No Java
 *		frame is below us: errors may be raised directly.
 */
static void
sqlrows_to_store(jobject obj, Tuplestorestate *store, TupleDesc desc, PljvmCall *call)
{
	jstring		jsql = (*ENV)->GetObjectField(ENV, obj, R.SqlRows_sql);
	jobjectArray jtypes = (*ENV)->GetObjectField(ENV, obj, R.SqlRows_types);
	jobjectArray jargs = (*ENV)->GetObjectField(ENV, obj, R.SqlRows_args);
	int			n = (*ENV)->GetArrayLength(ENV, jtypes);
	char	   *sql = pljvm_from_jstring(jsql);
	int		   *codes;
	Oid		   *oids;
	Datum	   *values = palloc(sizeof(Datum) * Max(n, 1));
	char	   *nulls = palloc(sizeof(char) * Max(n, 1));
	SPIPlanPtr	plan;
	bool		checked = false;

	pljvm_spi_connect(call);
	oids = pljvm_parse_types(jtypes, n, &codes);
	pljvm_convert_args(jargs, n, oids, codes, false, values, nulls);	/* Spi.rows refuses SqlArgs */
	plan = SPI_prepare(sql, n, oids);
	if (plan == NULL)
		elog(ERROR, "pljvm: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_is_cursor_plan(plan))
	{
		Portal		portal = SPI_cursor_open(NULL, plan, values, nulls, call->read_only);

		for (;;)
		{
			SPI_cursor_fetch(portal, true, SQLROWS_CHUNK);
			if (!checked)
			{
				check_rows_desc(SPI_tuptable->tupdesc, desc);
				checked = true;
			}
			for (uint64 i = 0; i < SPI_processed; i++)
				tuplestore_puttuple(store, SPI_tuptable->vals[i]);
			if (SPI_processed == 0)
				break;
			SPI_freetuptable(SPI_tuptable);
			CHECK_FOR_INTERRUPTS();
		}
		SPI_freetuptable(SPI_tuptable);
		SPI_cursor_close(portal);
	}
	else
	{
		int			rc = SPI_execute_plan(plan, values, nulls, call->read_only, 0);

		if (rc < 0)
			elog(ERROR, "pljvm: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
		if (SPI_tuptable == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("pljvm: the query of SqlRows returns no rows: %s", sql)));
		check_rows_desc(SPI_tuptable->tupdesc, desc);
		for (uint64 i = 0; i < SPI_processed; i++)
			tuplestore_puttuple(store, SPI_tuptable->vals[i]);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_freeplan(plan);
}

/* Materializes a SETOF result from a Java Iterator, Iterable or SqlRows. */
static Datum
return_set(FunctionCallInfo fcinfo, FnInfo *fn, PljvmCall *call, jobject obj)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	desc;
	Tuplestorestate *store;
	MemoryContext old;
	bool		scalar = fn->retcode != T_RECORD;
	jobject		it = obj;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) || (rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (scalar)
	{
		desc = CreateTemplateTupleDesc(1);
		TupleDescInitEntry(desc, (AttrNumber) 1, "value", fn->rettype, -1, 0);
	}
	else if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("pljvm: function returning record called in context that cannot accept type record")));
	else
		desc = CreateTupleDescCopy(desc);
	store = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0, false, work_mem);
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;

	if (obj == NULL)
		return (Datum) 0;
	if ((*ENV)->IsInstanceOf(ENV, obj, R.SqlRows))
	{
		sqlrows_to_store(obj, store, desc, call);
		return (Datum) 0;
	}
	if ((*ENV)->IsInstanceOf(ENV, obj, R.Iterable))
	{
		pljvm_enter_java();
		it = (*ENV)->CallObjectMethod(ENV, obj, R.Iterable_iterator);
		pljvm_after_java(call);
	}
	for (;;)
	{
		jboolean	more;
		jobject		elem;
		Datum		value;
		bool		isnull = false;

		pljvm_enter_java();
		more = (*ENV)->CallBooleanMethod(ENV, it, R.Iterator_hasNext);
		elem = more ? (*ENV)->CallObjectMethod(ENV, it, R.Iterator_next) : NULL;
		pljvm_after_java(call);
		if (!more)
			break;
		if (scalar)
		{
			isnull = elem == NULL;
			value = isnull ? (Datum) 0 : pljvm_java_to_datum(elem, fn->retcode, fn->rettype, -1);
			tuplestore_putvalues(store, desc, &value, &isnull);
		}
		else
		{
			HeapTuple	tup;

			if (elem == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("pljvm: a SETOF row must not be null")));
			tup = pljvm_java_to_tuple(elem, desc);
			tuplestore_puttuple(store, tup);
			heap_freetuple(tup);
		}
		if (elem != NULL)
			(*ENV)->DeleteLocalRef(ENV, elem);
		CHECK_FOR_INTERRUPTS();
	}
	return (Datum) 0;
}

/*
 * call_java
 *		Converts the arguments, calls the method, converts the result.
 */
static Datum
call_java(FunctionCallInfo fcinfo, PljvmCall *call)
{
	FnInfo	   *fn;
	jvalue		args[FUNC_MAX_ARGS];
	jobject		obj = NULL;
	Datum		result = (Datum) 0;
	jvalue		r;

	if (jars_stale || !OidIsValid(jar_relid))
		refresh_jars(call);
	fn = lookup(fcinfo, call);
	if (fn->retcode == T_TRIGGER)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("trigger functions can only be called as triggers")));
	call->read_only = fn->read_only;
	call->fcinfo = fcinfo;
	call->argtypes = fn->argtypes;
	for (int i = 0; i < fn->nargs; i++)
		args[i] = java_arg(fn, fcinfo, i);
	call->jargs = args;
	call->njargs = fn->nargs;

	if (pljvm_watchdog_fired)
		pljvm_after_java(call);	/* a stale interrupt from an earlier call */
	pljvm_enter_java();
	if (fn->retcode == T_VOID && !fn->retset)
		(*ENV)->CallStaticVoidMethodA(ENV, fn->cls, fn->mid, args);
	else if (fn->retkind == KIND_PRIMITIVE && !fn->retset && !(fn->retcode & T_ARRAY))
	{
		switch (fn->retcode)
		{
			case T_INT2:
				r.s = (*ENV)->CallStaticShortMethodA(ENV, fn->cls, fn->mid, args);
				result = Int16GetDatum(r.s);
				break;
			case T_INT4:
				r.i = (*ENV)->CallStaticIntMethodA(ENV, fn->cls, fn->mid, args);
				result = Int32GetDatum(r.i);
				break;
			case T_INT8:
				r.j = (*ENV)->CallStaticLongMethodA(ENV, fn->cls, fn->mid, args);
				result = Int64GetDatum(r.j);
				break;
			case T_FLOAT4:
				r.f = (*ENV)->CallStaticFloatMethodA(ENV, fn->cls, fn->mid, args);
				result = Float4GetDatum(r.f);
				break;
			case T_FLOAT8:
				r.d = (*ENV)->CallStaticDoubleMethodA(ENV, fn->cls, fn->mid, args);
				result = Float8GetDatum(r.d);
				break;
			default:
				r.z = (*ENV)->CallStaticBooleanMethodA(ENV, fn->cls, fn->mid, args);
				result = BoolGetDatum(r.z == JNI_TRUE);
				break;
		}
	}
	else
		obj = (*ENV)->CallStaticObjectMethodA(ENV, fn->cls, fn->mid, args);
	pljvm_after_java(call);

	if (fn->retset)
	{
		result = return_set(fcinfo, fn, call, obj);
		finish_spi(call);
		return result;
	}
	finish_spi(call);
	if (fn->retcode == T_VOID)
		return (Datum) 0;
	if (fn->retkind == KIND_PRIMITIVE && !(fn->retcode & T_ARRAY))
		return result;
	if (obj == NULL)
	{
		fcinfo->isnull = true;
		return (Datum) 0;
	}
	if (fn->retcode == T_RECORD)
	{
		TupleDesc	desc;

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("pljvm: function returning record called in context that cannot accept type record")));
		desc = BlessTupleDesc(desc);
		return HeapTupleGetDatum(pljvm_java_to_tuple(obj, desc));
	}
	return pljvm_java_to_datum(obj, fn->retcode, fn->rettype, -1);
}

/*
 * call_trigger
 *		A trigger function's call: the method takes the TriggerData and
 *		returns void (Resolver's result kind KIND_PRIMITIVE) or a TriggerRow.
 */
static Datum
call_trigger(FunctionCallInfo fcinfo, PljvmCall *call)
{
	FnInfo	   *fn;
	jobject		data;
	jobject		row;
	bool		returns_row;

	if (jars_stale || !OidIsValid(jar_relid))
		refresh_jars(call);
	fn = lookup(fcinfo, call);
	if (fn->retcode != T_TRIGGER)
		elog(ERROR, "pljvm: function %u is called as a trigger but does not return trigger", fn->oid);
	call->read_only = fn->read_only;
	returns_row = fn->retkind == KIND_OBJECT;
	row = pljvm_trigger_fire(fcinfo, call, fn->cls, fn->mid, returns_row, &data);
	finish_spi(call);
	return pljvm_trigger_result(fcinfo, data, row, returns_row);
}

/*
 * with_call
 *		Runs fn(arg) as a pljvm call: JVM started, call pushed, local frame
 *		pushed, and both popped on every path.
 */
static Datum
with_call(Datum (*fn) (FunctionCallInfo, PljvmCall *), FunctionCallInfo fcinfo)
{
	PljvmCall	call;
	volatile Datum result = (Datum) 0;
	sig_atomic_t saved_in_java = pljvm_suspend_java();

	pljvm_start_jvm();
	pljvm_check_stack();
	memset(&call, 0, sizeof(call));
	call.prev = pljvm_current_call;
	call.depth = call.prev == NULL ? 0 : call.prev->depth + 1;
	call.serial = ++call_serial;
	call.entry_cxt = CurrentMemoryContext;
	if ((*ENV)->PushLocalFrame(ENV, 64) < 0)
		pljvm_raise_jni_exception("PushLocalFrame");
	pljvm_current_call = &call;
	PG_TRY();
	{
		result = fn(fcinfo, &call);
		pljvm_direct_call_end(&call, true);
	}
	PG_FINALLY();
	{
		pljvm_direct_call_end(&call, false);
		pljvm_current_call = call.prev;
		pljvm_resume_java(saved_in_java);
		if ((*ENV)->ExceptionCheck(ENV))
			(*ENV)->ExceptionClear(ENV);
		(*ENV)->PopLocalFrame(ENV, NULL);
	}
	PG_END_TRY();
	return result;
}

/*
 * pljvm_call_handler
 *		The language's call handler.
 */
Datum
pljvm_call_handler(PG_FUNCTION_ARGS)
{
	if (CALLED_AS_TRIGGER(fcinfo))
		return with_call(call_trigger, fcinfo);
	if (CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("pljvm functions cannot be event triggers")));
	return with_call(call_java, fcinfo);
}

static Datum
validate(FunctionCallInfo fcinfo, PljvmCall *call)
{
	Oid			funcoid = PG_GETARG_OID(0);
	HeapTuple	proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));
	FnInfo		fn;

	if (!HeapTupleIsValid(proctup))
		elog(ERROR, "cache lookup failed for function %u", funcoid);
	memset(&fn, 0, sizeof(fn));
	fn.oid = funcoid;
	if (jars_stale || !OidIsValid(jar_relid))
		refresh_jars(call);
	PG_TRY();
	{
		resolve(&fn, proctup, call);
	}
	PG_FINALLY();
	{
		ReleaseSysCache(proctup);
		if (fn.cls != NULL)
			(*ENV)->DeleteGlobalRef(ENV, fn.cls);
	}
	PG_END_TRY();
	finish_spi(call);
	return (Datum) 0;
}

/*
 * pljvm_validator
 *		CREATE FUNCTION checks the types, and with check_function_bodies
 *		also that the Java method exists (which starts the JVM).
 */
Datum
pljvm_validator(PG_FUNCTION_ARGS)
{
	Oid			funcoid = PG_GETARG_OID(0);
	HeapTuple	proctup;
	Form_pg_proc proc;

	if (!CheckFunctionValidatorAccess(fcinfo->flinfo->fn_oid, funcoid))
		PG_RETURN_VOID();
	proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));
	if (!HeapTupleIsValid(proctup))
		elog(ERROR, "cache lookup failed for function %u", funcoid);
	proc = (Form_pg_proc) GETSTRUCT(proctup);
	check_types(proc);
	ReleaseSysCache(proctup);
	if (!check_function_bodies)
		PG_RETURN_VOID();
	return with_call(validate, fcinfo);
}

/*
 * pljvm_jars_changed
 *		Called by pljvm.install_jar, remove_jar and set_classpath: at commit,
 *		every backend learns that its loaded jars may be stale.
 */
Datum
pljvm_jars_changed(PG_FUNCTION_ARGS)
{
	Oid			relid = get_relname_relid("jar", get_namespace_oid("pljvm", false));

	if (!OidIsValid(relid))
		elog(ERROR, "pljvm: table pljvm.jar not found");
	CacheInvalidateRelcacheByRelid(relid);
	PG_RETURN_VOID();
}
