/*-------------------------------------------------------------------------
 *
 * natives.c
 *	  The native methods of org.pgqjava.pljvm.internal.Natives: SPI,
 *	  interrupts and messages, as Java calls them.
 *
 * Every function here is entered from a Java frame, so a PostgreSQL error
 * must not escape it: backend work runs inside PG_TRY, and an error is
 * copied, flushed, remembered as the call's pending error (raised again when
 * Java returns) and thrown to Java as PgException.  After that the call is
 * poisoned: backend state may be half done until the transaction aborts, so
 * every later native refuses with 25P02.
 *
 *-------------------------------------------------------------------------
 */
#include "pljvm.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "parser/parse_type.h"
#include "utils/memutils.h"

#define ENV pljvm_env
#define R pljvm_refs

/* Saved plans, by handle - 1.  Java holds only the int handle. */
typedef struct SavedPlan
{
	SPIPlanPtr	plan;
	int			nargs;
	Oid		   *argtypes;
	int		   *argcodes;
} SavedPlan;

static SavedPlan *plans = NULL;
static int	nplans = 0;
static int	free_hint = 0;

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

/*
 * begin
 *		Checks that backend work may be done now; otherwise throws and
 *		returns NULL.
 */
static PljvmCall *
begin(JNIEnv *env)
{
	PljvmCall  *call = pljvm_current_call;

	if (!pljvm_on_backend_thread())
	{
		throw_new(env, R.IllegalStateException,
				  "pljvm: only the backend thread may call into PostgreSQL");
		return NULL;
	}
	if (call == NULL)
	{
		throw_new(env, R.IllegalStateException, "pljvm: no pljvm function call is active");
		return NULL;
	}
	if (call->pending_error != NULL)
	{
		ErrorData	ed;

		memset(&ed, 0, sizeof(ed));
		ed.sqlerrcode = ERRCODE_IN_FAILED_SQL_TRANSACTION;
		ed.message = "pljvm: an SQL error happened earlier in this call; no more SQL until the Java method returns";
		ed.hint = "The original error is raised when the Java method returns.";
		pljvm_throw_pgexception(env, &ed);
		return NULL;
	}
	return call;
}

/*
 * fail
 *		The PG_CATCH part shared by all natives: keep the error for later,
 *		hand it to Java.
 */
static void
fail(JNIEnv *env, PljvmCall *call, MemoryContext cxt, ResourceOwner owner)
{
	ErrorData  *ed;

	MemoryContextSwitchTo(call->entry_cxt);
	ed = CopyErrorData();
	FlushErrorState();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
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

/* Connects SPI for the call and switches to the call's scratch context. */
static MemoryContext
spi_begin(PljvmCall *call)
{
	pljvm_spi_connect(call);
	if (call->tmp_cxt == NULL)
		call->tmp_cxt = AllocSetContextCreate(call->entry_cxt, "pljvm native",
											  ALLOCSET_SMALL_SIZES);
	return MemoryContextSwitchTo(call->tmp_cxt);
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

/* Java parameter values to Datums of the given types. */
void
pljvm_convert_args(jobjectArray args, int n, const Oid *types, const int *codes, Datum *values, char *nulls)
{
	for (int i = 0; i < n; i++)
	{
		jobject		o = (*ENV)->GetObjectArrayElement(ENV, args, i);

		if (o == NULL)
		{
			values[i] = (Datum) 0;
			nulls[i] = 'n';
		}
		else
		{
			values[i] = pljvm_java_to_datum(o, codes[i], types[i], -1);
			nulls[i] = ' ';
			(*ENV)->DeleteLocalRef(ENV, o);
		}
	}
}

/* SPI's result as a Java Result. */
static jobject
make_result(void)
{
	jobjectArray columns = NULL;
	jobjectArray rows = NULL;
	jobject		result;
	SPITupleTable *tt = SPI_tuptable;

	if (tt != NULL)
	{
		TupleDesc	desc = tt->tupdesc;
		int		   *codes = palloc(sizeof(int) * Max(desc->natts, 1));
		jclass		rowclass = R.ObjectArray;

		columns = (*ENV)->NewObjectArray(ENV, desc->natts, R.String, NULL);
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);
			jstring		name = pljvm_to_jstring(NameStr(att->attname), strlen(NameStr(att->attname)));

			(*ENV)->SetObjectArrayElement(ENV, columns, i, name);
			(*ENV)->DeleteLocalRef(ENV, name);
			codes[i] = att->attisdropped ? T_OTHER : pljvm_type_code(att->atttypid);
		}
		rows = (*ENV)->NewObjectArray(ENV, (jsize) SPI_processed, rowclass, NULL);
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

JNIEXPORT jboolean JNICALL
Java_org_pgqjava_pljvm_internal_Natives_interruptPending(JNIEnv *env, jclass cls)
{
	return InterruptPending ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_checkInterrupts(JNIEnv *env, jclass cls)
{
	PljvmCall  *call = begin(env);
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	sig_atomic_t saved = pljvm_in_java;

	if (call == NULL)
		return;
	pljvm_in_java = 0;
	PG_TRY();
	{
		CHECK_FOR_INTERRUPTS();
	}
	PG_CATCH();
	{
		fail(env, call, cxt, owner);
	}
	PG_END_TRY();
	pljvm_in_java = saved;
}

JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_report(JNIEnv *env, jclass cls, jint level, jstring message)
{
	PljvmCall  *call = begin(env);
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	sig_atomic_t saved = pljvm_in_java;

	if (call == NULL)
		return;
	pljvm_in_java = 0;
	PG_TRY();
	{
		int			elevel = level == org_pgqjava_pljvm_internal_Natives_LEVEL_WARNING ? WARNING
			: level == org_pgqjava_pljvm_internal_Natives_LEVEL_NOTICE ? NOTICE : LOG;
		char	   *msg = message ? pljvm_from_jstring(message) : pstrdup("(null)");

		ereport(elevel, (errmsg_internal("%s", msg)));
		pfree(msg);
	}
	PG_CATCH();
	{
		fail(env, call, cxt, owner);
	}
	PG_END_TRY();
	pljvm_in_java = saved;
}

JNIEXPORT jlong JNICALL
Java_org_pgqjava_pljvm_internal_Natives_localTransactionId(JNIEnv *env, jclass cls)
{
	return (jlong) MyProc->lxid;
}

JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_assignTransactionId(JNIEnv *env, jclass cls)
{
	PljvmCall  *call = begin(env);
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	if (call == NULL)
		return;
	PG_TRY();
	{
		(void) GetTopTransactionId();
	}
	PG_CATCH();
	{
		fail(env, call, cxt, owner);
	}
	PG_END_TRY();
}

JNIEXPORT jboolean JNICALL
Java_org_pgqjava_pljvm_internal_Natives_usesTransactionSnapshot(JNIEnv *env, jclass cls)
{
	return IsolationUsesXactSnapshot() ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jboolean JNICALL
Java_org_pgqjava_pljvm_internal_Natives_isBackendThread(JNIEnv *env, jclass cls)
{
	return pljvm_on_backend_thread() ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jint JNICALL
Java_org_pgqjava_pljvm_internal_Natives_prepare(JNIEnv *env, jclass cls, jstring sql, jobjectArray types)
{
	PljvmCall  *call = begin(env);
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	sig_atomic_t saved = pljvm_in_java;
	volatile int handle = 0;

	if (call == NULL)
		return 0;
	pljvm_in_java = 0;
	PG_TRY();
	{
		MemoryContext old = spi_begin(call);
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
		spi_end(call, old);
	}
	PG_CATCH();
	{
		fail(env, call, cxt, owner);
	}
	PG_END_TRY();
	pljvm_in_java = saved;
	return handle;
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

JNIEXPORT jobject JNICALL
Java_org_pgqjava_pljvm_internal_Natives_executePlan(JNIEnv *env, jclass cls, jint handle, jobjectArray args)
{
	PljvmCall  *call = begin(env);
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	sig_atomic_t saved = pljvm_in_java;
	volatile jobject result = NULL;
	SavedPlan  *sp;

	if (call == NULL || (sp = lookup_plan(env, handle)) == NULL)
		return NULL;
	pljvm_in_java = 0;
	PG_TRY();
	{
		MemoryContext old = spi_begin(call);
		Datum	   *values = palloc(sizeof(Datum) * Max(sp->nargs, 1));
		char	   *nulls = palloc(sizeof(char) * Max(sp->nargs, 1));

		pljvm_convert_args(args, sp->nargs, sp->argtypes, sp->argcodes, values, nulls);
		spi_check(SPI_execute_plan(sp->plan, values, nulls, call->read_only, 0), "SPI_execute_plan");
		result = make_result();
		spi_end(call, old);
	}
	PG_CATCH();
	{
		fail(env, call, cxt, owner);
	}
	PG_END_TRY();
	pljvm_in_java = saved;
	return result;
}

JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_freePlan(JNIEnv *env, jclass cls, jint handle)
{
	PljvmCall  *call = begin(env);
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	SavedPlan  *sp;

	if (call == NULL || (sp = lookup_plan(env, handle)) == NULL)
		return;
	PG_TRY();
	{
		SPI_freeplan(sp->plan);
		pfree(sp->argtypes);
		pfree(sp->argcodes);
		memset(sp, 0, sizeof(*sp));
		if (handle - 1 < free_hint)
			free_hint = handle - 1;
	}
	PG_CATCH();
	{
		fail(env, call, cxt, owner);
	}
	PG_END_TRY();
}

JNIEXPORT jobject JNICALL
Java_org_pgqjava_pljvm_internal_Natives_executeOnce(JNIEnv *env, jclass cls, jstring sql,
													jobjectArray types, jobjectArray args)
{
	PljvmCall  *call = begin(env);
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	sig_atomic_t saved = pljvm_in_java;
	volatile jobject result = NULL;

	if (call == NULL)
		return NULL;
	pljvm_in_java = 0;
	PG_TRY();
	{
		MemoryContext old = spi_begin(call);
		int			n = (*ENV)->GetArrayLength(ENV, types);
		int		   *codes;
		Oid		   *oids = pljvm_parse_types(types, n, &codes);
		Datum	   *values = palloc(sizeof(Datum) * Max(n, 1));
		char	   *nulls = palloc(sizeof(char) * Max(n, 1));

		pljvm_convert_args(args, n, oids, codes, values, nulls);
		spi_check(SPI_execute_with_args(pljvm_from_jstring(sql), n, oids, values, nulls,
										call->read_only, 0), "SPI_execute_with_args");
		result = make_result();
		spi_end(call, old);
	}
	PG_CATCH();
	{
		fail(env, call, cxt, owner);
	}
	PG_END_TRY();
	pljvm_in_java = saved;
	return result;
}

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

#define MAX_SUBXACT 64
static SubXact subxacts[MAX_SUBXACT];
static int	nsubxacts = 0;

JNIEXPORT jint JNICALL
Java_org_pgqjava_pljvm_internal_Natives_beginSubtransaction(JNIEnv *env, jclass cls)
{
	PljvmCall  *call = begin(env);
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile jint token = 0;

	if (call == NULL)
		return 0;
	if (nsubxacts >= MAX_SUBXACT)
	{
		throw_new(env, R.IllegalStateException, "pljvm: subtransactions nested too deeply");
		return 0;
	}
	PG_TRY();
	{
		/* connect first: an SPI connection made inside would end with it */
		MemoryContext old = spi_begin(call);

		spi_end(call, old);
		cxt = CurrentMemoryContext;
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		subxacts[nsubxacts].subxid = GetCurrentSubTransactionId();
		subxacts[nsubxacts].cxt = cxt;
		subxacts[nsubxacts].owner = owner;
		token = (jint) subxacts[nsubxacts].subxid;
		nsubxacts++;
		call->subxact_depth++;
	}
	PG_CATCH();
	{
		fail(env, call, cxt, owner);
	}
	PG_END_TRY();
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
 */
static void
close_subxact(JNIEnv *env, jint token, bool commit)
{
	PljvmCall  *call = pljvm_current_call;
	SubXact    *sx;
	ErrorData  *volatile inside = NULL;

	if (!pljvm_on_backend_thread() || call == NULL)
	{
		throw_new(env, R.IllegalStateException, "pljvm: only the backend thread may call into PostgreSQL");
		return;
	}
	if (call->pending_error != NULL)
	{
		if (call->pending_subxid < (SubTransactionId) token)
		{
			if (commit)
				begin(env);		/* throws 25P02 */
			return;
		}
		inside = call->pending_error;
	}
	if ((sx = innermost(env, call, token)) == NULL)
		return;
	PG_TRY();
	{
		if (commit && inside == NULL)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(sx->cxt);
		CurrentResourceOwner = sx->owner;
		nsubxacts--;
		call->subxact_depth--;
		call->pending_error = NULL;
	}
	PG_CATCH();
	{
		fail(env, call, sx->cxt, sx->owner);
		return;
	}
	PG_END_TRY();
	if (inside != NULL && commit)
		pljvm_throw_pgexception(env, inside);
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

#define NATIVE(name, sig) \
	{ #name, sig, (void *) Java_org_pgqjava_pljvm_internal_Natives_##name }

/*
 * pljvm_register_natives
 *		Binds the natives explicitly: the JVM cannot find them by symbol
 *		lookup, as it did not load this library itself.
 */
void
pljvm_register_natives(JNIEnv *env)
{
	JNINativeMethod methods[] = {
		NATIVE(interruptPending, "()Z"),
		NATIVE(checkInterrupts, "()V"),
		NATIVE(report, "(ILjava/lang/String;)V"),
		NATIVE(isBackendThread, "()Z"),
		NATIVE(localTransactionId, "()J"),
		NATIVE(usesTransactionSnapshot, "()Z"),
		NATIVE(assignTransactionId, "()V"),
		NATIVE(prepare, "(Ljava/lang/String;[Ljava/lang/String;)I"),
		NATIVE(executePlan, "(I[Ljava/lang/Object;)Lorg/pgqjava/pljvm/Result;"),
		NATIVE(freePlan, "(I)V"),
		NATIVE(executeOnce, "(Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/Object;)Lorg/pgqjava/pljvm/Result;"),
		NATIVE(beginSubtransaction, "()I"),
		NATIVE(commitSubtransaction, "(I)V"),
		NATIVE(rollbackSubtransaction, "(I)V"),
		NATIVE(inJava, "()Z"),
		NATIVE(watchdogInterrupt, "(Ljava/lang/Thread;)Z"),
	};

	if ((*env)->RegisterNatives(env, pljvm_refs.Natives, methods, lengthof(methods)) != 0)
		pljvm_raise_jni_exception("RegisterNatives");
}
