/*-------------------------------------------------------------------------
 *
 * pljvm.h
 *	  Shared declarations of the pljvm C host.
 *
 * Rules every file here follows, because breaking them crashes or hangs a
 * backend:
 *	- A PostgreSQL error must never longjmp across a Java frame.  Code that
 *	  Java calls (natives.c) runs backend work inside PG_TRY and turns errors
 *	  into Java exceptions; the error is raised again when Java returns.
 *	- Only the backend thread touches PostgreSQL.  Natives check the thread.
 *	- Every call into Java from the handler is inside a JNI local frame that
 *	  is popped on every path, else local references leak for good.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLJVM_H
#define PLJVM_H

#include "postgres.h"

#include <jni.h>
#include <pthread.h>
#include <signal.h>

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "utils/elog.h"
#include "utils/resowner.h"

#include "org_pgqjava_pljvm_internal_Natives.h"

/* Type codes shared with Java (generated from Natives.java by javac -h). */
#define T_OTHER			org_pgqjava_pljvm_internal_Natives_T_OTHER
#define T_INT2			org_pgqjava_pljvm_internal_Natives_T_INT2
#define T_INT4			org_pgqjava_pljvm_internal_Natives_T_INT4
#define T_INT8			org_pgqjava_pljvm_internal_Natives_T_INT8
#define T_FLOAT4		org_pgqjava_pljvm_internal_Natives_T_FLOAT4
#define T_FLOAT8		org_pgqjava_pljvm_internal_Natives_T_FLOAT8
#define T_BOOL			org_pgqjava_pljvm_internal_Natives_T_BOOL
#define T_TEXT			org_pgqjava_pljvm_internal_Natives_T_TEXT
#define T_BYTEA			org_pgqjava_pljvm_internal_Natives_T_BYTEA
#define T_TIMESTAMPTZ	org_pgqjava_pljvm_internal_Natives_T_TIMESTAMPTZ
#define T_VOID			org_pgqjava_pljvm_internal_Natives_T_VOID
#define T_RECORD		org_pgqjava_pljvm_internal_Natives_T_RECORD
#define T_TRIGGER		org_pgqjava_pljvm_internal_Natives_T_TRIGGER
#define T_ARRAY			org_pgqjava_pljvm_internal_Natives_T_ARRAY
#define KIND_OBJECT		org_pgqjava_pljvm_internal_Natives_KIND_OBJECT
#define KIND_PRIMITIVE	org_pgqjava_pljvm_internal_Natives_KIND_PRIMITIVE
#define KIND_SQLARG		org_pgqjava_pljvm_internal_Natives_KIND_SQLARG

/*
 * One pljvm function call in progress.  Calls nest (Java -> SPI -> SQL ->
 * Java), so they form a stack through prev.
 */
typedef struct PljvmCall
{
	struct PljvmCall *prev;
	MemoryContext entry_cxt;	/* the caller's context: results go here */
	MemoryContext tmp_cxt;		/* natives' scratch, reset after each; lazy */
	bool		spi_connected;
	bool		read_only;		/* SPI read_only: function not VOLATILE */
	ErrorData  *pending_error;	/* an SQL error Java was told about */
	SubTransactionId pending_subxid;	/* subtransaction it happened in */
	int			subxact_depth;	/* subtransactions opened by Spi.subtransaction */
	int			depth;			/* 0 for the outermost call */
	uint64		serial;			/* unique per call: SqlArgs name their call by it */
	FunctionCallInfo fcinfo;	/* the call's arguments (SqlArg), or NULL */
	const Oid  *argtypes;		/* their types */
	const jvalue *jargs;		/* the Java values they became (convert_args), or NULL */
	int			njargs;
	struct TriggerData *trigdata;	/* a trigger call's TriggerData, or NULL */
} PljvmCall;

/* Global references and ids of the JDK and pljvm classes the host uses. */
typedef struct PljvmRefs
{
	jclass		Object, String, Number, Short, Integer, Long, Float, Double, Boolean;
	jclass		byteArray, OffsetDateTime, Iterator, Iterable, ObjectArray;
	jclass		IllegalStateException, Natives, Backend, Conv, Errors, Resolver, Loaders, Thread;
	jmethodID	Thread_interrupt;
	jclass		PgException, Result, Method, SqlRows, SqlArg;
	jmethodID	SqlArg_init;
	jfieldID	SqlArg_call, SqlArg_index;
	jfieldID	SqlRows_sql, SqlRows_types, SqlRows_args;
	jmethodID	Number_longValue, Number_doubleValue, Boolean_booleanValue;
	jfieldID	Long_value, Integer_value;
	jmethodID	Short_valueOf, Integer_valueOf, Long_valueOf, Float_valueOf, Double_valueOf, Boolean_valueOf;
	jmethodID	String_fromBytes, String_getBytes, String_intern, Object_toString;
	jmethodID	Iterator_hasNext, Iterator_next, Iterable_iterator, Method_getDeclaringClass;
	jmethodID	Backend_init, Backend_sharing, Backend_clearInterrupt, Conv_timestampFromPg, Conv_timestampToPg;
	jmethodID	Errors_describe, Resolver_resolve, Loaders_refresh, PgException_init, Result_init;
	jobject		UTF_8;
} PljvmRefs;

/* jvm.c */
/* pljvm's own classes, embedded by the build (classes.c, EmbedClasses.java) */
typedef struct PljvmEmbeddedClass
{
	const char *name;			/* internal form: org/pgqjava/pljvm/Spi */
	const unsigned char *bytes;
	int			len;
} PljvmEmbeddedClass;
extern const PljvmEmbeddedClass pljvm_embedded_classes[];
extern const int pljvm_embedded_class_count;

extern JNIEnv *pljvm_env;
extern PljvmRefs pljvm_refs;
extern void pljvm_define_gucs(void);
extern void pljvm_start_jvm(void);
extern void pljvm_preload_libjvm(void);
extern jclass pljvm_global_class(JNIEnv *env, const char *name);
extern void pljvm_time_refs(void);
extern void pljvm_check_stack(void);
extern bool pljvm_on_backend_thread(void);

/* pljvm.c */
extern PljvmCall *pljvm_current_call;
extern uint64 pljvm_relcache_invals;
extern volatile sig_atomic_t pljvm_in_java;
extern volatile sig_atomic_t pljvm_watchdog_fired;
extern pthread_mutex_t pljvm_watchdog_lock;
extern void pljvm_after_java(PljvmCall *call);

/*
 * The "in Java" state (pljvm_in_java, which the watchdog reads to decide
 * whether a cancel needs a Thread.interrupt) changes only through these:
 * the handler enters Java with pljvm_enter_java and leaves it with
 * pljvm_after_java (under the watchdog's lock); a native leaves Java for
 * backend work with pljvm_suspend_java and goes back with pljvm_resume_java.
 */
static inline void
pljvm_enter_java(void)
{
	pljvm_in_java = 1;
}

static inline sig_atomic_t
pljvm_suspend_java(void)
{
	sig_atomic_t was = pljvm_in_java;

	pljvm_in_java = 0;
	return was;
}

static inline void
pljvm_resume_java(sig_atomic_t was)
{
	pljvm_in_java = was;
}

/* convert.c */
extern int	pljvm_type_code(Oid typid);
extern jstring pljvm_to_jstring(const char *s, int len);
extern jstring pljvm_utf8_to_jstring(const char *utf8, int len);
extern char *pljvm_from_jstring(jstring s);
extern jobject pljvm_datum_to_java(Datum d, int code, Oid typid, bool primitive);
extern Datum pljvm_java_to_datum(jobject o, int code, Oid typid, int32 typmod);
extern jobjectArray pljvm_tuple_to_java(HeapTuple tup, TupleDesc desc, const int *codes);
extern HeapTuple pljvm_java_to_tuple(jobjectArray row, TupleDesc desc);

/* natives.c */
/*
 * NativeScope: what a native saves when it starts backend work, so that an
 * error can put the backend back (memory context, resource owner) and the
 * "in Java" state is restored when it returns to Java.
 *
 * Always declared volatile: it lives across sigsetjmp (PG_TRY), and a
 * native may change cxt inside (beginSubtransaction does); elog.h's warning
 * applies to every local assigned between PG_TRY and PG_CATCH.
 */
typedef struct NativeScope
{
	PljvmCall  *call;
	MemoryContext cxt;
	ResourceOwner owner;
	sig_atomic_t in_java;
} NativeScope;

/*
 * BEGIN_NATIVE(env, scope, refused) ... END_NATIVE(env, scope)
 *		The one entry/exit sequence of a native.  BEGIN checks the thread and
 *		the call (returning `refused` after throwing if backend work is not
 *		allowed now), saves the scope, leaves the "in Java" state and opens
 *		PG_TRY; END catches an error into the pending error and a PgException,
 *		and restores the "in Java" state.  Between the two: no return, no
 *		break out (PG_exception_stack would point at a dead frame), and any
 *		local assigned inside and read after END must be volatile.
 *		BEGIN_NATIVE_POISONED does the same for the one native that must run
 *		after an SQL error (closing a subtransaction).
 */
#define BEGIN_NATIVE_IMPL(env, scope, refused, poisoned_ok) \
	if (!pljvm_native_enter((env), &(scope), (poisoned_ok))) \
		return refused; \
	PG_TRY(); \
	{

#define BEGIN_NATIVE(env, scope, refused) BEGIN_NATIVE_IMPL(env, scope, refused, false)
#define BEGIN_NATIVE_POISONED(env, scope, refused) BEGIN_NATIVE_IMPL(env, scope, refused, true)

#define END_NATIVE(env, scope) \
	} \
	PG_CATCH(); \
	{ \
		pljvm_native_fail((env), &(scope)); \
	} \
	PG_END_TRY(); \
	pljvm_resume_java((scope).in_java);

extern bool pljvm_native_enter(JNIEnv *env, volatile NativeScope *scope, bool poisoned_ok);
extern void pljvm_native_fail(JNIEnv *env, volatile NativeScope *scope);
extern MemoryContext pljvm_scratch_context(PljvmCall *call);
extern void pljvm_register_natives(JNIEnv *env);
extern void pljvm_throw_pgexception(JNIEnv *env, ErrorData *ed);
extern void pljvm_spi_connect(PljvmCall *call);
extern Oid *pljvm_parse_types(jobjectArray names, int n, int **codes);
extern void pljvm_convert_args(jobjectArray args, int n, const Oid *types, const int *codes,
							   bool sqlargs, Datum *values, char *nulls);

/* trigger.c */
extern void pljvm_trigger_init(void);
extern void pljvm_direct_call_end(PljvmCall *call, bool normally);
extern jobject pljvm_trigger_fire(FunctionCallInfo fcinfo, PljvmCall *call, jclass cls, jmethodID mid,
								  bool returns_row, jobject *data);
extern Datum pljvm_trigger_result(FunctionCallInfo fcinfo, jobject data, jobject row, bool returns_row);

/* Fail with the Java exception pending on env (after a JNI call that threw). */
extern void pljvm_raise_jni_exception(const char *what) pg_attribute_noreturn();

#endif							/* PLJVM_H */
