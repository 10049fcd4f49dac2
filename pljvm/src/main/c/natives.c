/*-------------------------------------------------------------------------
 *
 * natives.c
 *	  The native methods of org.pgqjava.pljvm.internal.Natives: SPI,
 *	  interrupts and messages, as Java calls them.
 *
 * Every function here is entered from a Java frame, so a PostgreSQL error
 * must not escape it.  Every native that does backend work does it between
 * BEGIN_NATIVE and END_NATIVE (below), and nowhere else: inside, an error is
 * copied, flushed, remembered as the call's pending error (raised again when
 * Java returns) and thrown to Java as PgException.  After that the call is
 * poisoned: backend state may be half done until the transaction aborts, so
 * every later native refuses with 25P02.
 *
 * File order: declarations, the native-method table, globals, then the
 * functions (helpers first, natives in table order).
 *
 *-------------------------------------------------------------------------
 */
#include "pljvm.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"

#define ENV pljvm_env
#define R pljvm_refs

/* A saved plan, by handle - 1.  Java holds only the int handle. */
typedef struct SavedPlan
{
	SPIPlanPtr	plan;
	int			nargs;
	Oid		   *argtypes;
	int		   *argcodes;
	/* column names of the last result, as Java strings, reused while they match */
	jobjectArray columns;		/* global ref, or NULL */
	int			ncolumns;
	char	  **colnames;
} SavedPlan;

/*
 * Subtransactions (Spi.subtransaction): the only way Java may catch an SQL
 * error and go on.  An error inside the subtransaction is pending as usual;
 * rolling the subtransaction back undoes its effects and clears it.
 * Strictly nested: Java opens and closes them in try/finally.
 */
typedef struct SubXact
{
	SubTransactionId subxid;
	MemoryContext cxt;
	ResourceOwner owner;
} SubXact;


#define NATIVE(name, sig) \
	{ #name, sig, (void *) Java_org_pgqjava_pljvm_internal_Natives_##name }

/* Bound by pljvm_register_natives; the signatures are Natives.java's. */
static const JNINativeMethod native_methods[] = {
	NATIVE(interruptPending, "()Z"),
	NATIVE(checkInterrupts, "()V"),
	NATIVE(report, "(ILjava/lang/String;)V"),
	NATIVE(isBackendThread, "()Z"),
	NATIVE(localTransactionId, "()J"),
	NATIVE(subtransactionId, "()J"),
	NATIVE(usesTransactionSnapshot, "()Z"),
	NATIVE(sessionReplicationRole, "()I"),
	NATIVE(directFunction, "(Ljava/lang/String;Ljava/lang/String;)I"),
	NATIVE(enterFunction, "(I)I"),
	NATIVE(leaveFunction, "(I)V"),
	NATIVE(assignTransactionId, "()V"),
	NATIVE(relationExists, "(Ljava/lang/String;)Z"),
	NATIVE(relationInvalidations, "()J"),
	NATIVE(prepare, "(Ljava/lang/String;[Ljava/lang/String;)I"),
	NATIVE(executePlan, "(I[Ljava/lang/Object;Z)Lorg/pgqjava/pljvm/Result;"),
	NATIVE(executePlanCount, "(I[Ljava/lang/Object;Z)J"),
	NATIVE(executePlanLong, "(I[Ljava/lang/Object;ZZJ)J"),
	NATIVE(freePlan, "(I)V"),
	NATIVE(executeOnce, "(Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/Object;Z)Lorg/pgqjava/pljvm/Result;"),
	NATIVE(beginSubtransaction, "()I"),
	NATIVE(commitSubtransaction, "(I)V"),
	NATIVE(rollbackSubtransaction, "(I)V"),
	NATIVE(triggerValue, "(JIII)Ljava/lang/Object;"),
	NATIVE(triggerText, "(JII)Ljava/lang/String;"),
	NATIVE(triggerTexts, "(JI[IZ)[Ljava/lang/String;"),
	NATIVE(triggerNulls, "(JI[I)[Z"),
	NATIVE(triggerChanges, "(J[IZ)[Z"),
	NATIVE(triggerChanged, "(JIZ)Z"),
	NATIVE(triggerTextBlock, "(JI[IZ[I)Ljava/lang/String;"),
	NATIVE(inJava, "()Z"),
	NATIVE(watchdogInterrupt, "(Ljava/lang/Thread;)Z"),
};

static SavedPlan *plans = NULL;
static int	nplans = 0;
static int	free_hint = 0;

#define MAX_SUBXACT 64
static SubXact subxacts[MAX_SUBXACT];
static int	nsubxacts = 0;

/*
 * Scratch memory of the natives, one context per call depth (a nested call
 * runs while the outer native's scratch is in use), kept for the life of
 * the backend and reset around every use instead of created per call.
 */
#define MAX_SCRATCH_DEPTH 16
static MemoryContext scratch[MAX_SCRATCH_DEPTH];

/*
 * pljvm_register_natives
 *		Binds the natives explicitly: the JVM cannot find them by symbol
 *		lookup, as it did not load this library itself.
 */
void
pljvm_register_natives(JNIEnv *env)
{
	if ((*env)->RegisterNatives(env, pljvm_refs.Natives, native_methods, lengthof(native_methods)) != 0)
		pljvm_raise_jni_exception("RegisterNatives");
}

static void
throw_new(JNIEnv *env, jclass cls, const char *msg)
{
	(*env)->ThrowNew(env, cls, msg);
}

/*
 * pljvm_throw_pgexception
 *		Throws a PgException carrying the fields of ed.
 */
void
pljvm_throw_pgexception(JNIEnv *env, ErrorData *ed)
{
	jstring		state = pljvm_to_jstring(unpack_sql_state(ed->sqlerrcode), 5);
	jstring		msg = ed->message ? pljvm_to_jstring(ed->message, strlen(ed->message)) : NULL;
	jstring		detail = ed->detail ? pljvm_to_jstring(ed->detail, strlen(ed->detail)) : NULL;
	jstring		hint = ed->hint ? pljvm_to_jstring(ed->hint, strlen(ed->hint)) : NULL;
	jobject		exc = (*env)->NewObject(env, R.PgException, R.PgException_init, state, msg, detail, hint);

	if (exc != NULL)
		(*env)->Throw(env, exc);
}

/* Throws the 25P02 of a poisoned call. */
static void
throw_poisoned(JNIEnv *env)
{
	ErrorData	ed;

	memset(&ed, 0, sizeof(ed));
	ed.sqlerrcode = ERRCODE_IN_FAILED_SQL_TRANSACTION;
	ed.message = "pljvm: an SQL error happened earlier in this call; no more SQL until the Java method returns";
	ed.hint = "The original error is raised when the Java method returns.";
	pljvm_throw_pgexception(env, &ed);
}

/*
 * pljvm_native_enter
 *		BEGIN_NATIVE's checks and saves.  Returns false, with a Java exception
 *		thrown, when backend work may not be done now: not the backend
 *		thread, no pljvm call active, or (unless poisoned_ok) an earlier SQL
 *		error pending.
 */
bool
pljvm_native_enter(JNIEnv *env, volatile NativeScope *scope, bool poisoned_ok)
{
	PljvmCall  *call = pljvm_current_call;

	if (!pljvm_on_backend_thread())
	{
		throw_new(env, R.IllegalStateException,
				  "pljvm: only the backend thread may call into PostgreSQL");
		return false;
	}
	if (call == NULL)
	{
		throw_new(env, R.IllegalStateException, "pljvm: no pljvm function call is active");
		return false;
	}
	if (call->pending_error != NULL && !poisoned_ok)
	{
		throw_poisoned(env);
		return false;
	}
	scope->call = call;
	scope->cxt = CurrentMemoryContext;
	scope->owner = CurrentResourceOwner;
	scope->in_java = pljvm_suspend_java();
	return true;
}

/*
 * pljvm_native_fail
 *		END_NATIVE's PG_CATCH part: keep the error for later, put the backend
 *		back as the native found it, hand the error to Java.
 */
void
pljvm_native_fail(JNIEnv *env, volatile NativeScope *scope)
{
	PljvmCall  *call = scope->call;
	ErrorData  *ed;

	MemoryContextSwitchTo(call->entry_cxt);
	ed = CopyErrorData();
	FlushErrorState();
	MemoryContextSwitchTo(scope->cxt);
	CurrentResourceOwner = scope->owner;
	call->pending_error = ed;
	call->pending_subxid = GetCurrentSubTransactionId();
	pljvm_throw_pgexception(env, ed);
}

/* Connects SPI for the call if it is not yet. */
void
pljvm_spi_connect(PljvmCall *call)
{
	if (!call->spi_connected)
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "pljvm: SPI_connect failed");
		call->spi_connected = true;
	}
}

/* The call's scratch context, reset (the last use may have ended in an error). */
MemoryContext
pljvm_scratch_context(PljvmCall *call)
{
	if (call->tmp_cxt == NULL)
	{
		if (call->depth < MAX_SCRATCH_DEPTH)
		{
			if (scratch[call->depth] == NULL)
				scratch[call->depth] = AllocSetContextCreate(TopMemoryContext, "pljvm native scratch",
															 ALLOCSET_SMALL_SIZES);
			call->tmp_cxt = scratch[call->depth];
		}
		else
			call->tmp_cxt = AllocSetContextCreate(call->entry_cxt, "pljvm native scratch",
												  ALLOCSET_SMALL_SIZES);
		MemoryContextReset(call->tmp_cxt);
	}
	return call->tmp_cxt;
}

/* Connects SPI for the call and switches to the call's scratch context. */
static MemoryContext
spi_begin(PljvmCall *call)
{
	pljvm_spi_connect(call);
	return MemoryContextSwitchTo(pljvm_scratch_context(call));
}

static void
spi_end(PljvmCall *call, MemoryContext old)
{
	MemoryContextSwitchTo(old);
	MemoryContextReset(call->tmp_cxt);
}

static void
spi_check(int rc, const char *what)
{
	if (rc < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("pljvm: %s failed: %s", what, SPI_result_code_string(rc))));
}

/* Type names (Java String[]) to OIDs; codes filled if asked. */
Oid *
pljvm_parse_types(jobjectArray names, int n, int **codes)
{
	Oid		   *oids = palloc(sizeof(Oid) * Max(n, 1));

	if (codes)
		*codes = palloc(sizeof(int) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		jstring		s = (*ENV)->GetObjectArrayElement(ENV, names, i);
		int32		typmod;

		if (s == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("pljvm: parameter type %d is null", i + 1)));
		parseTypeString(pljvm_from_jstring(s), &oids[i], &typmod, false);
		(*ENV)->DeleteLocalRef(ENV, s);
		if (codes)
			(*codes)[i] = pljvm_type_code(oids[i]);
	}
	return oids;
}

/*
 * sqlarg_datum
 *		The Datum a SqlArg stands for: argument index of the call with its
 *		serial, which must still run (be on the call stack) and have an
 *		argument of the parameter's type.
 */
static Datum
sqlarg_datum(jobject o, int param, Oid type)
{
	uint64		serial = (uint64) (*ENV)->GetLongField(ENV, o, R.SqlArg_call);
	int			index = (*ENV)->GetIntField(ENV, o, R.SqlArg_index);
	PljvmCall  *c;
	Datum		d;
	int16		typlen;
	bool		typbyval;

	for (c = pljvm_current_call; c != NULL && c->serial != serial; c = c->prev)
		;
	if (c == NULL || c->fcinfo == NULL || index < 0 || index >= c->fcinfo->nargs)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pljvm: statement parameter %d is a SqlArg of a call that has returned", param + 1),
				 errhint("A SqlArg is valid only during the call that received it; keep the converted value instead (declare the parameter as String[], Long ...).")));
	if (c->argtypes[index] != type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("pljvm: statement parameter %d is %s, but the SqlArg passed for it is argument %d of type %s",
						param + 1, format_type_be(type), index + 1, format_type_be(c->argtypes[index])),
				 errhint("Prepare the statement with the argument's own type.")));
	d = c->fcinfo->args[index].value;
	/* a read/write expanded object would let the statement change the caller's value in place */
	get_typlenbyval(type, &typlen, &typbyval);
	if (typlen == -1)
		d = MakeExpandedObjectReadOnly(d, false, typlen);
	return d;
}

/*
 * call_text_arg
 *		If o is the very String a text or varchar argument of the current
 *		call became, that argument's Datum: the statement gets the value as
 *		it came, without converting the String back (insert_event hands its
 *		type and payload to its INSERT this way).  The String was built from
 *		that Datum (or is the one kept for the same bytes, ArgText), so its
 *		text is the Datum's.  Else (Datum) 0 and *found false.
 */
static Datum
call_text_arg(jobject o, bool *found)
{
	PljvmCall  *c = pljvm_current_call;

	*found = false;
	if (c == NULL || c->jargs == NULL || c->fcinfo == NULL)
		return (Datum) 0;
	for (int j = 0; j < c->njargs; j++)
	{
		Oid			t = c->argtypes[j];

		if ((t == TEXTOID || t == VARCHAROID) && !c->fcinfo->args[j].isnull && c->jargs[j].l != NULL &&
			(*ENV)->IsSameObject(ENV, o, c->jargs[j].l))
		{
			*found = true;
			return c->fcinfo->args[j].value;
		}
	}
	return (Datum) 0;
}

/*
 * Java parameter values to Datums of the given types; sqlargs: Java saw a
 * SqlArg among them (Plan.hasSqlArg), so each is checked for one.
 */
void
pljvm_convert_args(jobjectArray args, int n, const Oid *types, const int *codes, bool sqlargs,
				   Datum *values, char *nulls)
{
	for (int i = 0; i < n; i++)
	{
		jobject		o = (*ENV)->GetObjectArrayElement(ENV, args, i);

		if (o == NULL)
		{
			values[i] = (Datum) 0;
			nulls[i] = 'n';
		}
		else if (sqlargs && (*ENV)->IsInstanceOf(ENV, o, R.SqlArg))
		{
			values[i] = sqlarg_datum(o, i, types[i]);
			nulls[i] = ' ';
			(*ENV)->DeleteLocalRef(ENV, o);
		}
		else
		{
			bool		found = false;

			if (types[i] == TEXTOID || types[i] == VARCHAROID)
				values[i] = call_text_arg(o, &found);
			if (!found)
				values[i] = pljvm_java_to_datum(o, codes[i], types[i], -1);
			nulls[i] = ' ';
			(*ENV)->DeleteLocalRef(ENV, o);
		}
	}
}

/*
 * result_columns
 *		The column names of desc as a Java String[].  With a saved plan, the
 *		array of the last result is reused while the names are the same:
 *		building Java strings for the names cost ~7 % of an insert_event.
 *		A saved plan's names are interned, so that Row.get(name) with a
 *		literal finds its column by identity: a ticker() call, which runs
 *		too rarely to be compiled, spent ~1/4 of its Java in String.equals.
 */
static jobjectArray
result_columns(TupleDesc desc, SavedPlan *sp)
{
	jobjectArray columns;

	if (sp != NULL && sp->columns != NULL && sp->ncolumns == desc->natts)
	{
		int			i;

		for (i = 0; i < desc->natts; i++)
			if (strcmp(sp->colnames[i], NameStr(TupleDescAttr(desc, i)->attname)) != 0)
				break;
		if (i == desc->natts)
			return sp->columns;
	}
	columns = (*ENV)->NewObjectArray(ENV, desc->natts, R.String, NULL);
	if (columns == NULL)
		pljvm_raise_jni_exception("NewObjectArray");
	for (int i = 0; i < desc->natts; i++)
	{
		const char *name = NameStr(TupleDescAttr(desc, i)->attname);
		jstring		s = pljvm_to_jstring(name, strlen(name));

		if (sp != NULL)
		{
			jstring		interned = (*ENV)->CallObjectMethod(ENV, s, R.String_intern);

			if (interned == NULL)
				pljvm_raise_jni_exception("String.intern");
			(*ENV)->DeleteLocalRef(ENV, s);
			s = interned;
		}
		(*ENV)->SetObjectArrayElement(ENV, columns, i, s);
		(*ENV)->DeleteLocalRef(ENV, s);
	}
	if (sp != NULL)
	{
		jobjectArray keep = (*ENV)->NewGlobalRef(ENV, columns);

		if (keep == NULL)
			return columns;		/* out of memory: just do not cache */
		if (sp->columns != NULL)
		{
			(*ENV)->DeleteGlobalRef(ENV, sp->columns);
			for (int i = 0; i < sp->ncolumns; i++)
				pfree(sp->colnames[i]);
			pfree(sp->colnames);
		}
		sp->colnames = MemoryContextAlloc(TopMemoryContext, sizeof(char *) * Max(desc->natts, 1));
		for (int i = 0; i < desc->natts; i++)
			sp->colnames[i] = MemoryContextStrdup(TopMemoryContext, NameStr(TupleDescAttr(desc, i)->attname));
		sp->ncolumns = desc->natts;
		sp->columns = keep;
	}
	return columns;
}

/* SPI's result as a Java Result; sp: the saved plan it came from, or NULL. */
static jobject
make_result(SavedPlan *sp)
{
	jobjectArray columns = NULL;
	jobjectArray rows = NULL;
	jobject		result;
	SPITupleTable *tt = SPI_tuptable;

	if (tt != NULL)
	{
		TupleDesc	desc = tt->tupdesc;
		int		   *codes = palloc(sizeof(int) * Max(desc->natts, 1));

		columns = result_columns(desc, sp);
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			codes[i] = att->attisdropped ? T_OTHER : pljvm_type_code(att->atttypid);
		}
		rows = (*ENV)->NewObjectArray(ENV, (jsize) SPI_processed, R.ObjectArray, NULL);
		if (rows == NULL)
			pljvm_raise_jni_exception("NewObjectArray");
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			jobjectArray row = pljvm_tuple_to_java(tt->vals[r], desc, codes);

			(*ENV)->SetObjectArrayElement(ENV, rows, (jsize) r, row);
			(*ENV)->DeleteLocalRef(ENV, row);
		}
		SPI_freetuptable(tt);
	}
	result = (*ENV)->NewObject(ENV, R.Result, R.Result_init, (jlong) SPI_processed, columns, rows);
	if (result == NULL)
		pljvm_raise_jni_exception("new Result");
	return result;
}

/*
 * live_plan
 *		The saved plan of handle after a statement ran, or NULL: SQL that the
 *		statement ran may have prepared plans (moving the plans array) or
 *		freed this one, so a SavedPlan pointer taken before is not used after.
 */
static SavedPlan *
live_plan(jint handle)
{
	if (handle < 1 || handle > nplans || plans[handle - 1].plan == NULL)
		return NULL;
	return &plans[handle - 1];
}

static SavedPlan *
lookup_plan(JNIEnv *env, jint handle)
{
	if (handle < 1 || handle > nplans || plans[handle - 1].plan == NULL)
	{
		throw_new(env, R.IllegalStateException, "pljvm: invalid or freed plan handle");
		return NULL;
	}
	return &plans[handle - 1];
}

/* Runs a saved plan with Java's parameter values; the result is in SPI_tuptable. */
static void
run_plan(SavedPlan *sp, jobjectArray args, bool sqlargs, bool read_only)
{
	Datum	   *values = palloc(sizeof(Datum) * Max(sp->nargs, 1));
	char	   *nulls = palloc(sizeof(char) * Max(sp->nargs, 1));

	pljvm_convert_args(args, sp->nargs, sp->argtypes, sp->argcodes, sqlargs, values, nulls);
	spi_check(SPI_execute_plan(sp->plan, values, nulls, read_only, 0), "SPI_execute_plan");
}

JNIEXPORT jboolean JNICALL
Java_org_pgqjava_pljvm_internal_Natives_interruptPending(JNIEnv *env, jclass cls)
{
	return InterruptPending ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_checkInterrupts(JNIEnv *env, jclass cls)
{
	volatile NativeScope scope;

	BEGIN_NATIVE(env, scope, /* void */ );
	CHECK_FOR_INTERRUPTS();
	END_NATIVE(env, scope);
}

JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_report(JNIEnv *env, jclass cls, jint level, jstring message)
{
	volatile NativeScope scope;

	BEGIN_NATIVE(env, scope, /* void */ );
	{
		int			elevel = level == org_pgqjava_pljvm_internal_Natives_LEVEL_WARNING ? WARNING
			: level == org_pgqjava_pljvm_internal_Natives_LEVEL_NOTICE ? NOTICE : LOG;
		char	   *msg = message ? pljvm_from_jstring(message) : pstrdup("(null)");

		ereport(elevel, (errmsg_internal("%s", msg)));
		pfree(msg);
	}
	END_NATIVE(env, scope);
}

JNIEXPORT jboolean JNICALL
Java_org_pgqjava_pljvm_internal_Natives_isBackendThread(JNIEnv *env, jclass cls)
{
	return pljvm_on_backend_thread() ? JNI_TRUE : JNI_FALSE;
}

/* Reads one field of MyProc: no backend work, so no scope. */
JNIEXPORT jlong JNICALL
Java_org_pgqjava_pljvm_internal_Natives_localTransactionId(JNIEnv *env, jclass cls)
{
	return (jlong) MyProc->lxid;
}

/* Reads the transaction state's subtransaction id: no backend work, so no scope. */
JNIEXPORT jlong JNICALL
Java_org_pgqjava_pljvm_internal_Natives_subtransactionId(JNIEnv *env, jclass cls)
{
	return (jlong) GetCurrentSubTransactionId();
}

/* Reads the isolation level: no backend work, so no scope. */
JNIEXPORT jboolean JNICALL
Java_org_pgqjava_pljvm_internal_Natives_usesTransactionSnapshot(JNIEnv *env, jclass cls)
{
	return IsolationUsesXactSnapshot() ? JNI_TRUE : JNI_FALSE;
}

/* Reads a variable only: no scope needed. */
JNIEXPORT jint JNICALL
Java_org_pgqjava_pljvm_internal_Natives_sessionReplicationRole(JNIEnv *env, jclass cls)
{
	return (jint) SessionReplicationRole;
}

/* Reads a counter only: no scope needed. */
JNIEXPORT jlong JNICALL
Java_org_pgqjava_pljvm_internal_Natives_relationInvalidations(JNIEnv *env, jclass cls)
{
	return (jlong) pljvm_relcache_invals;
}

JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_assignTransactionId(JNIEnv *env, jclass cls)
{
	volatile NativeScope scope;

	BEGIN_NATIVE(env, scope, /* void */ );
	(void) GetTopTransactionId();
	END_NATIVE(env, scope);
}

/* Whether a relation of that (possibly qualified, quoted as SQL) name exists now: catalog only. */
JNIEXPORT jboolean JNICALL
Java_org_pgqjava_pljvm_internal_Natives_relationExists(JNIEnv *env, jclass cls, jstring name)
{
	volatile NativeScope scope;
	volatile jboolean found = JNI_FALSE;

	BEGIN_NATIVE(env, scope, JNI_FALSE);
	{
		MemoryContext old = MemoryContextSwitchTo(pljvm_scratch_context(scope.call));
		RangeVar   *rv = makeRangeVarFromNameList(stringToQualifiedNameList(pljvm_from_jstring(name)));

		found = OidIsValid(RangeVarGetRelid(rv, NoLock, true)) ? JNI_TRUE : JNI_FALSE;
		MemoryContextSwitchTo(old);
		MemoryContextReset(scope.call->tmp_cxt);
	}
	END_NATIVE(env, scope);
	return found;
}

JNIEXPORT jint JNICALL
Java_org_pgqjava_pljvm_internal_Natives_prepare(JNIEnv *env, jclass cls, jstring sql, jobjectArray types)
{
	volatile NativeScope scope;
	volatile int handle = 0;

	BEGIN_NATIVE(env, scope, 0);
	{
		MemoryContext old = spi_begin(scope.call);
		int			n = (*ENV)->GetArrayLength(ENV, types);
		int		   *codes;
		Oid		   *oids = pljvm_parse_types(types, n, &codes);
		SPIPlanPtr	plan = SPI_prepare(pljvm_from_jstring(sql), n, oids);
		int			slot;

		if (plan == NULL)
			spi_check(SPI_result, "SPI_prepare");
		spi_check(SPI_keepplan(plan), "SPI_keepplan");
		for (slot = free_hint; slot < nplans && plans[slot].plan != NULL; slot++)
			;
		if (slot == nplans)
		{
			int			grow = nplans == 0 ? 64 : nplans * 2;

			plans = plans == NULL ? MemoryContextAllocZero(TopMemoryContext, sizeof(SavedPlan) * grow)
				: repalloc(plans, sizeof(SavedPlan) * grow);
			memset(plans + nplans, 0, sizeof(SavedPlan) * (grow - nplans));
			nplans = grow;
		}
		plans[slot].plan = plan;
		plans[slot].nargs = n;
		plans[slot].argtypes = MemoryContextAlloc(TopMemoryContext, sizeof(Oid) * Max(n, 1));
		plans[slot].argcodes = MemoryContextAlloc(TopMemoryContext, sizeof(int) * Max(n, 1));
		memcpy(plans[slot].argtypes, oids, sizeof(Oid) * n);
		memcpy(plans[slot].argcodes, codes, sizeof(int) * n);
		free_hint = slot + 1;
		handle = slot + 1;
		spi_end(scope.call, old);
	}
	END_NATIVE(env, scope);
	return handle;
}

JNIEXPORT jobject JNICALL
Java_org_pgqjava_pljvm_internal_Natives_executePlan(JNIEnv *env, jclass cls, jint handle, jobjectArray args,
													jboolean sqlargs)
{
	volatile NativeScope scope;
	volatile jobject result = NULL;
	SavedPlan  *sp = lookup_plan(env, handle);

	if (sp == NULL)
		return NULL;
	BEGIN_NATIVE(env, scope, NULL);
	{
		MemoryContext old = spi_begin(scope.call);

		run_plan(sp, args, sqlargs, scope.call->read_only);
		result = make_result(live_plan(handle));
		spi_end(scope.call, old);
	}
	END_NATIVE(env, scope);
	return result;
}

/* Runs a plan for its row count only: no Java objects for the rows. */
JNIEXPORT jlong JNICALL
Java_org_pgqjava_pljvm_internal_Natives_executePlanCount(JNIEnv *env, jclass cls, jint handle, jobjectArray args,
														 jboolean sqlargs)
{
	volatile NativeScope scope;
	volatile jlong processed = 0;
	SavedPlan  *sp = lookup_plan(env, handle);

	if (sp == NULL)
		return 0;
	BEGIN_NATIVE(env, scope, 0);
	{
		MemoryContext old = spi_begin(scope.call);

		run_plan(sp, args, sqlargs, scope.call->read_only);
		processed = (jlong) SPI_processed;
		if (SPI_tuptable != NULL)
			SPI_freetuptable(SPI_tuptable);
		spi_end(scope.call, old);
	}
	END_NATIVE(env, scope);
	return processed;
}

/*
 * Runs a plan whose first row's first column is an integer (an id from
 * RETURNING, a count): returns it without Java objects.  No row, or NULL,
 * returns none if orNone, else is an error (SQLSTATE P0002, no_data_found).
 */
JNIEXPORT jlong JNICALL
Java_org_pgqjava_pljvm_internal_Natives_executePlanLong(JNIEnv *env, jclass cls, jint handle, jobjectArray args,
														jboolean sqlargs, jboolean orNone, jlong none)
{
	volatile NativeScope scope;
	volatile jlong value = 0;
	SavedPlan  *sp = lookup_plan(env, handle);

	if (sp == NULL)
		return 0;
	BEGIN_NATIVE(env, scope, 0);
	{
		MemoryContext old = spi_begin(scope.call);
		SPITupleTable *tt;
		bool		isnull = true;
		Datum		d = (Datum) 0;
		Oid			typid = InvalidOid;

		run_plan(sp, args, sqlargs, scope.call->read_only);
		tt = SPI_tuptable;
		if (tt != NULL && SPI_processed > 0 && tt->tupdesc->natts > 0)
		{
			typid = TupleDescAttr(tt->tupdesc, 0)->atttypid;
			d = heap_getattr(tt->vals[0], 1, tt->tupdesc, &isnull);
		}
		if (isnull && orNone)
			value = none;
		else if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("pljvm: the statement returned no row or NULL where an integer was expected"),
					 errhint("Plan.executeLong is for statements that always return a value; Plan.executeLongOr takes a value for none.")));
		else
			switch (typid)
			{
				case INT8OID:
					value = DatumGetInt64(d);
					break;
				case INT4OID:
					value = DatumGetInt32(d);
					break;
				case INT2OID:
					value = DatumGetInt16(d);
					break;
				default:
					ereport(ERROR,
							(errcode(ERRCODE_DATATYPE_MISMATCH),
							 errmsg("pljvm: Plan.executeLong needs an integer first column, got type %u", typid)));
			}
		SPI_freetuptable(tt);
		spi_end(scope.call, old);
	}
	END_NATIVE(env, scope);
	return value;
}

JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_freePlan(JNIEnv *env, jclass cls, jint handle)
{
	volatile NativeScope scope;
	SavedPlan  *sp = lookup_plan(env, handle);

	if (sp == NULL)
		return;
	BEGIN_NATIVE(env, scope, /* void */ );
	{
		SPI_freeplan(sp->plan);
		pfree(sp->argtypes);
		pfree(sp->argcodes);
		if (sp->columns != NULL)
		{
			(*ENV)->DeleteGlobalRef(ENV, sp->columns);
			for (int i = 0; i < sp->ncolumns; i++)
				pfree(sp->colnames[i]);
			pfree(sp->colnames);
		}
		memset(sp, 0, sizeof(*sp));
		if (handle - 1 < free_hint)
			free_hint = handle - 1;
	}
	END_NATIVE(env, scope);
}

JNIEXPORT jobject JNICALL
Java_org_pgqjava_pljvm_internal_Natives_executeOnce(JNIEnv *env, jclass cls, jstring sql,
													jobjectArray types, jobjectArray args, jboolean sqlargs)
{
	volatile NativeScope scope;
	volatile jobject result = NULL;

	BEGIN_NATIVE(env, scope, NULL);
	{
		MemoryContext old = spi_begin(scope.call);
		int			n = (*ENV)->GetArrayLength(ENV, types);
		int		   *codes;
		Oid		   *oids = pljvm_parse_types(types, n, &codes);
		Datum	   *values = palloc(sizeof(Datum) * Max(n, 1));
		char	   *nulls = palloc(sizeof(char) * Max(n, 1));

		pljvm_convert_args(args, n, oids, codes, sqlargs, values, nulls);
		spi_check(SPI_execute_with_args(pljvm_from_jstring(sql), n, oids, values, nulls,
										scope.call->read_only, 0), "SPI_execute_with_args");
		result = make_result(NULL);
		spi_end(scope.call, old);
	}
	END_NATIVE(env, scope);
	return result;
}

JNIEXPORT jint JNICALL
Java_org_pgqjava_pljvm_internal_Natives_beginSubtransaction(JNIEnv *env, jclass cls)
{
	volatile NativeScope scope;
	volatile jint token = 0;

	if (nsubxacts >= MAX_SUBXACT)
	{
		throw_new(env, R.IllegalStateException, "pljvm: subtransactions nested too deeply");
		return 0;
	}
	BEGIN_NATIVE(env, scope, 0);
	{
		/* connect first: an SPI connection made inside would end with it */
		MemoryContext old = spi_begin(scope.call);

		spi_end(scope.call, old);
		/* an error from here on must restore SPI's context: scope is volatile */
		scope.cxt = CurrentMemoryContext;
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(scope.cxt);
		subxacts[nsubxacts].subxid = GetCurrentSubTransactionId();
		subxacts[nsubxacts].cxt = scope.cxt;
		subxacts[nsubxacts].owner = scope.owner;
		token = (jint) subxacts[nsubxacts].subxid;
		nsubxacts++;
		scope.call->subxact_depth++;
	}
	END_NATIVE(env, scope);
	return token;
}

/* The innermost subtransaction if it is token's, else throws and NULL. */
static SubXact *
innermost(JNIEnv *env, PljvmCall *call, jint token)
{
	if (call->subxact_depth == 0 || nsubxacts == 0 ||
		subxacts[nsubxacts - 1].subxid != (SubTransactionId) token ||
		GetCurrentSubTransactionId() != (SubTransactionId) token)
	{
		throw_new(env, R.IllegalStateException, "pljvm: subtransaction closed out of order");
		return NULL;
	}
	return &subxacts[nsubxacts - 1];
}

/*
 * close_subxact
 *		Commits or rolls back the innermost subtransaction.  An SQL error that
 *		happened inside it (and that Java swallowed) turns a commit into a
 *		rollback and is thrown again; a rollback clears it.  An error from
 *		before the subtransaction cannot be undone by it and stays pending.
 *		An error while closing restores the subtransaction's outer context
 *		and owner (those of beginSubtransaction's caller).
 */
static void
close_subxact(JNIEnv *env, jint token, bool commit)
{
	PljvmCall  *call = pljvm_current_call;
	volatile NativeScope scope;
	SubXact    *sx;
	ErrorData  *volatile inside = NULL;

	if (call != NULL && call->pending_error != NULL && pljvm_on_backend_thread())
	{
		if (call->pending_subxid < (SubTransactionId) token)
		{
			if (commit)
				throw_poisoned(env);
			return;
		}
		inside = call->pending_error;
	}
	BEGIN_NATIVE_POISONED(env, scope, /* void */ );
	if ((sx = innermost(env, scope.call, token)) != NULL)
	{
		scope.cxt = sx->cxt;
		scope.owner = sx->owner;
		if (commit && inside == NULL)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(sx->cxt);
		CurrentResourceOwner = sx->owner;
		nsubxacts--;
		scope.call->subxact_depth--;
		scope.call->pending_error = NULL;
		if (inside != NULL && commit)
			pljvm_throw_pgexception(env, inside);
	}
	END_NATIVE(env, scope);
}

JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_commitSubtransaction(JNIEnv *env, jclass cls, jint token)
{
	close_subxact(env, token, true);
}

JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_rollbackSubtransaction(JNIEnv *env, jclass cls, jint token)
{
	close_subxact(env, token, false);
}

/* For the watchdog thread: reads the flag only. */
JNIEXPORT jboolean JNICALL
Java_org_pgqjava_pljvm_internal_Natives_inJava(JNIEnv *env, jclass cls)
{
	return pljvm_in_java ? JNI_TRUE : JNI_FALSE;
}

/*
 * Called by the watchdog thread: if the backend thread runs Java while a
 * cancel or termination is pending, interrupts it and records that it did,
 * both under pljvm_watchdog_lock, so that pljvm_after_java never misses an
 * interrupt it must clear.  Reads backend flags only; calls no PostgreSQL code.
 */
JNIEXPORT jboolean JNICALL
Java_org_pgqjava_pljvm_internal_Natives_watchdogInterrupt(JNIEnv *env, jclass cls, jobject thread)
{
	jboolean	fired = JNI_FALSE;

	pthread_mutex_lock(&pljvm_watchdog_lock);
	if (pljvm_in_java && (QueryCancelPending || ProcDiePending) && InterruptHoldoffCount == 0)
	{
		(*env)->CallVoidMethod(env, thread, R.Thread_interrupt);
		if ((*env)->ExceptionCheck(env))
			(*env)->ExceptionClear(env);
		else
		{
			pljvm_watchdog_fired = 1;
			fired = JNI_TRUE;
		}
	}
	pthread_mutex_unlock(&pljvm_watchdog_lock);
	return fired;
}
