/*-------------------------------------------------------------------------
 *
 * direct.c
 *	  Direct calls of pljvm functions from Java (SqlFunction): Java code may
 *	  run another pljvm function's method itself instead of through SQL,
 *	  when SQL would run exactly that method, and in the context SQL would
 *	  give it.
 *
 * A function is named by its signature and the Java method its prosrc must
 * name.  What the catalog says of it (its OID, owner, SECURITY DEFINER and
 * SET options) is looked up once and kept until pg_proc changes (a syscache
 * callback): CREATE OR REPLACE, ALTER FUNCTION, DROP, GRANT and REVOKE all
 * change its row.  At each call the current user's USAGE on its schema and
 * EXECUTE on it are checked (what SQL naming and calling it would check), then the function's context entered as fmgr_security_definer
 * does it: the owner as the current user if it is SECURITY DEFINER, its SET
 * options in a new GUC nest level.  Leaving restores both.  When the
 * function does not exist, is not pljvm's or names another method, may not
 * be executed, or a hook wants to see function calls, entering refuses
 * (returns 0) and Java calls it through SQL, which raises whatever error
 * applies.
 *
 * Contexts are strictly nested, kept on a small stack tagged with the pljvm
 * call that entered them.  A call that returns with a context still entered
 * (a Java bug) has it left for it; an error unwinding a call drops its
 * entries, as the (sub)transaction abort restores the user and the GUCs.
 *
 *-------------------------------------------------------------------------
 */
#include "pljvm.h"

#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "commands/proclang.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#define ENV pljvm_env
#define MAX_FUNCTIONS 16
#define MAX_DEPTH 16

typedef struct DirectFn
{
	char	   *signature;		/* e.g. pgq.insert_event(text,text,text) */
	char	   *method;			/* the prosrc it must have */
	bool		valid;			/* the fields below are up to date */
	bool		ok;				/* exists, is pljvm's, names the method */
	Oid			oid;
	Oid			nsp;			/* its schema: SQL needs USAGE on it to name the function */
	Oid			owner;			/* InvalidOid unless SECURITY DEFINER */
	ArrayType  *proconfig;		/* its SET options, or NULL */
} DirectFn;

typedef struct DirectCtx
{
	uint64		call;			/* serial of the pljvm call that entered it */
	int			token;
	int			guc_level;		/* 0: no SET options */
	bool		user_changed;
	Oid			saved_user;
	int			saved_sec;
} DirectCtx;

static DirectFn functions[MAX_FUNCTIONS];
static int	nfunctions = 0;
static DirectCtx stack[MAX_DEPTH];
static int	depth = 0;
static int	last_token = 0;
static bool callback_registered = false;

static void
proc_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	for (int i = 0; i < nfunctions; i++)
		functions[i].valid = false;
}

/* Reads the catalog for fn: sets ok and the context to enter. */
static void
look_up(DirectFn *fn)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		oidd;
	HeapTuple	tup;

	fn->ok = false;
	if (fn->proconfig != NULL)
		pfree(fn->proconfig);
	fn->proconfig = NULL;
	/* to_regprocedure: NULL (not an error) when there is no such function */
	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = CStringGetTextDatum(fn->signature);
	fcinfo->args[0].isnull = false;
	oidd = to_regprocedure(fcinfo);
	fn->oid = fcinfo->isnull ? InvalidOid : DatumGetObjectId(oidd);
	fn->valid = true;
	if (!OidIsValid(fn->oid))
		return;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn->oid));
	if (!HeapTupleIsValid(tup))
		return;
	{
		Form_pg_proc p = (Form_pg_proc) GETSTRUCT(tup);
		bool		isnull;
		Datum		src = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
		Datum		config = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_proconfig, &isnull);
		Oid			lang = get_language_oid("pljvm", true);

		fn->owner = p->prosecdef ? p->proowner : InvalidOid;
		fn->nsp = p->pronamespace;
		if (!isnull)
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			fn->proconfig = DatumGetArrayTypePCopy(config);
			MemoryContextSwitchTo(old);
		}
		fn->ok = p->prolang == lang && !p->proretset && p->prokind == PROKIND_FUNCTION
			&& strcmp(TextDatumGetCString(src), fn->method) == 0;
	}
	ReleaseSysCache(tup);
}

/* The function's handle for Natives.enterFunction (registered once per name and method). */
JNIEXPORT jint JNICALL
Java_org_pgqjava_pljvm_internal_Natives_directFunction(JNIEnv *env, jclass cls, jstring signature, jstring method)
{
	volatile NativeScope scope;
	volatile int handle = 0;

	BEGIN_NATIVE(env, scope, 0);
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
		char	   *sig = pljvm_from_jstring(signature);
		char	   *m = pljvm_from_jstring(method);

		for (int i = 0; i < nfunctions && handle == 0; i++)
			if (strcmp(functions[i].signature, sig) == 0 && strcmp(functions[i].method, m) == 0)
				handle = i + 1;
		if (handle == 0)
		{
			if (nfunctions == MAX_FUNCTIONS)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("pljvm: at most %d functions can be called directly", MAX_FUNCTIONS)));
			if (!callback_registered)
			{
				CacheRegisterSyscacheCallback(PROCOID, proc_changed, (Datum) 0);
				callback_registered = true;
			}
			memset(&functions[nfunctions], 0, sizeof(DirectFn));
			functions[nfunctions].signature = sig;
			functions[nfunctions].method = m;
			handle = ++nfunctions;
		}
		MemoryContextSwitchTo(old);
	}
	END_NATIVE(env, scope);
	return handle;
}

/*
 * Enters the function's context if Java may run its method directly: a
 * token for leaveFunction, or 0 (call it through SQL).
 */
JNIEXPORT jint JNICALL
Java_org_pgqjava_pljvm_internal_Natives_enterFunction(JNIEnv *env, jclass cls, jint handle)
{
	volatile NativeScope scope;
	volatile int token = 0;

	BEGIN_NATIVE(env, scope, 0);
	{
		DirectFn   *fn;

		if (handle < 1 || handle > nfunctions)
			elog(ERROR, "pljvm: bad direct function handle %d", (int) handle);
		fn = &functions[handle - 1];
		if (!fn->valid)
		{
			MemoryContext old = MemoryContextSwitchTo(pljvm_scratch_context(scope.call));

			look_up(fn);
			MemoryContextSwitchTo(old);
			MemoryContextReset(scope.call->tmp_cxt);
		}
		if (fn->ok && depth < MAX_DEPTH && object_access_hook == NULL
			&& needs_fmgr_hook == NULL
			&& pg_namespace_aclcheck(fn->nsp, GetUserId(), ACL_USAGE) == ACLCHECK_OK
			&& pg_proc_aclcheck(fn->oid, GetUserId(), ACL_EXECUTE) == ACLCHECK_OK)
		{
			DirectCtx  *c = &stack[depth];

			c->call = scope.call->serial;
			c->token = ++last_token;
			c->guc_level = 0;
			c->user_changed = false;
			GetUserIdAndSecContext(&c->saved_user, &c->saved_sec);
			/* as fmgr_security_definer: the user first, then the SET options as that user */
			if (OidIsValid(fn->owner))
			{
				SetUserIdAndSecContext(fn->owner, c->saved_sec | SECURITY_LOCAL_USERID_CHANGE);
				c->user_changed = true;
			}
			depth++;
			if (fn->proconfig != NULL)
			{
				c->guc_level = NewGUCNestLevel();
				ProcessGUCArray(fn->proconfig, superuser() ? PGC_SUSET : PGC_USERSET, PGC_S_SESSION,
								GUC_ACTION_SAVE);
			}
			token = c->token;
		}
	}
	END_NATIVE(env, scope);
	return token;
}

/* Leaves the top context: its GUCs, then its user. */
static void
leave_top(void)
{
	DirectCtx  *c = &stack[--depth];

	if (c->guc_level > 0)
		AtEOXact_GUC(true, c->guc_level);
	if (c->user_changed)
		SetUserIdAndSecContext(c->saved_user, c->saved_sec);
}

/* Leaves the context of the token; also after an SQL error in it (the call is poisoned then). */
JNIEXPORT void JNICALL
Java_org_pgqjava_pljvm_internal_Natives_leaveFunction(JNIEnv *env, jclass cls, jint token)
{
	volatile NativeScope scope;

	BEGIN_NATIVE_POISONED(env, scope, /* void */ );
	{
		if (depth == 0 || stack[depth - 1].token != token || stack[depth - 1].call != scope.call->serial)
			elog(ERROR, "pljvm: direct function contexts left out of order");
		leave_top();
	}
	END_NATIVE(env, scope);
}

/*
 * pljvm_direct_call_end
 *		At the end of a pljvm call: a context it left entered is left now
 *		(returned normally) or dropped (an error unwinds it: the abort
 *		restores the user and the GUCs).
 */
void
pljvm_direct_call_end(PljvmCall *call, bool normally)
{
	while (depth > 0 && stack[depth - 1].call == call->serial)
	{
		if (normally)
		{
			ereport(WARNING,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("pljvm: a direct function context was not closed; closing it")));
			leave_top();
		}
		else
			depth--;
	}
}
