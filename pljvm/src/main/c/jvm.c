/*-------------------------------------------------------------------------
 *
 * jvm.c
 *	  Starting the JVM in a backend: GUCs, options, stack check, signal
 *	  mask, exit hook, and the class and method references the host uses.
 *
 * The JVM starts lazily at the first pljvm call of a backend, never in the
 * postmaster (forking a process with JVM threads is unsafe).  HotSpot allows
 * one JNI_CreateJavaVM per process, even after a failure, so a failed start
 * is final for the backend.  The JVM is never destroyed: DestroyJavaVM waits
 * for non-daemon threads and can hang a backend at exit for good.
 *
 *-------------------------------------------------------------------------
 */
#include "pljvm.h"

#include <dlfcn.h>
#include <jvmti.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#ifndef PLJVM_DEFAULT_LIBJVM
#error "PLJVM_DEFAULT_LIBJVM must be set by the Makefile"
#endif
#ifndef PLJVM_DEFAULT_CLASSPATH
#error "PLJVM_DEFAULT_CLASSPATH must be set by the Makefile"
#endif

/*
 * What each default buys a backend's JVM start (first call in a fresh
 * backend, measured 2026-12-02, docs/pljvm.md "Start-up"):
 * - ArchiveRelocationMode=0 maps the class-data archive at its build-time
 *   address instead of relocating it (this JDK relocates by default, for
 *   ASLR): about 30 ms less and 6 MB less private memory.
 * - G1, not Serial: on JDK 17 only G1 can map the archived Java objects, and
 *   with them the boot module graph (module system start 2 ms instead of
 *   13 ms); it also leaves less private memory than Serial does.
 * - C1 only, one compiler thread, at the usual thresholds: with the archive
 *   the start runs little Java, and higher thresholds (tried: 3 to 100) saved
 *   no measurable start-up CPU but left a session's first 4000 calls
 *   interpreted (+15 % CPU per insert_event at 20).
 * - StringTableSize and SymbolTableSize 1024 (defaults 65536 and 32768): the
 *   archive brings the JDK's strings and symbols in tables of their own, and a
 *   backend adds few, so the run-time tables start small and grow when needed
 *   (the JVM resizes both). Their default bucket arrays are 768 kB the JVM
 *   zeroes at its start: 190 page faults and ~0.75 MB of private memory per
 *   backend, ~1.7 ms of JNI_CreateJavaVM (2026-12-08, medians of 10).
 *
 * No -Xss here: by default the JVM gets the process stack limit (see
 * process_stack_kb), so that no max_stack_depth PostgreSQL accepts can reach
 * the JVM's guard pages.
 */
#define DEFAULT_VMOPTIONS "-Xms4m -Xmx64m -XX:+UseG1GC " \
	"-XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 " \
	"-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=16m " \
	"-XX:MaxMetaspaceSize=64m -XX:-UsePerfData -XX:+DisableAttachMechanism " \
	"-XX:StringTableSize=1024 -XX:+UnlockExperimentalVMOptions -XX:SymbolTableSize=1024"

/* PostgreSQL keeps max_stack_depth this far below the stack limit (tcopprot.h). */
#define STACK_SLOP_KB ((int) (STACK_DEPTH_SLOP / 1024))

JNIEnv	   *pljvm_env = NULL;
PljvmRefs	pljvm_refs;

static char *libjvm_location = NULL;
static char *vmoptions = NULL;
static char *classpath = NULL;
static bool exit_guard = false;

static JavaVM *jvm = NULL;
static bool jvm_ready = false;	/* created and bootstrapped */
static bool jvm_failed = false; /* a start was tried and failed: final */
static long jvm_stack_kb = 0;	/* the -Xss the JVM runs with */
static jclass *embedded = NULL;	/* pljvm_embedded_classes as defined, or NULL */
static char *jvm_archive = NULL;	/* the class-data archive pljvm gave the JVM, or NULL */
static char *stale_archive = NULL;	/* one it left out as older than libjvm */
static pthread_t backend_thread;

/*
 * While JNI_CreateJavaVM runs: the thread that called it, and what the JVM
 * printed meanwhile (its reason, when it gives up), for the error report.
 */
static volatile bool jvm_creating = false;
static pthread_t creating_thread;
static char start_messages[1024];
static size_t start_messages_len = 0;

static const char *jvm_start_messages(void);

typedef jint (*CreateJavaVM_t) (JavaVM **, void **, void *);

/* PostgreSQL's signals: no JVM thread may ever run their handlers. */
static sigset_t pg_signals;

/*
 * thread_start
 *		JVMTI ThreadStart: runs on every Java thread started after the JVM,
 *		before its first Java code.  Threads that user code starts from the
 *		backend thread inherit its mask, with PostgreSQL's signals open;
 *		block them, so that a cancel or SIGTERM is taken by the backend
 *		thread, where PostgreSQL's handlers expect to run.
 */
static void JNICALL
thread_start(jvmtiEnv *jvmti, JNIEnv *env, jthread thread)
{
	pthread_sigmask(SIG_BLOCK, &pg_signals, NULL);
}

/* Asks the JVM to call thread_start for every new Java thread. */
static void
watch_new_threads(void)
{
	jvmtiEnv   *jvmti;
	jvmtiEventCallbacks callbacks;

	if ((*jvm)->GetEnv(jvm, (void **) &jvmti, JVMTI_VERSION_1_2) != JNI_OK)
		elog(ERROR, "pljvm: JVMTI is not available");
	memset(&callbacks, 0, sizeof(callbacks));
	callbacks.ThreadStart = thread_start;
	if ((*jvmti)->SetEventCallbacks(jvmti, &callbacks, sizeof(callbacks)) != JVMTI_ERROR_NONE ||
		(*jvmti)->SetEventNotificationMode(jvmti, JVMTI_ENABLE, JVMTI_EVENT_THREAD_START, NULL) != JVMTI_ERROR_NONE)
		elog(ERROR, "pljvm: cannot watch JVM thread starts");
}

/*
 * pljvm_define_gucs
 *		The pljvm.* settings.  All are superuser-only: they decide what code
 *		runs in the backend.  They take effect when the JVM starts.
 */
void
pljvm_define_gucs(void)
{
	DefineCustomStringVariable("pljvm.libjvm_location",
							   "Path of the libjvm.so that pljvm loads.",
							   NULL, &libjvm_location, PLJVM_DEFAULT_LIBJVM,
							   PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("pljvm.vmoptions",
							   "JVM options, separated by spaces; -Xrs is always added.",
							   NULL, &vmoptions, DEFAULT_VMOPTIONS,
							   PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("pljvm.classpath",
							   "Class path of the JVM: pljvm.jar (user jars live in pljvm.jar table).",
							   NULL, &classpath, PLJVM_DEFAULT_CLASSPATH,
							   PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("pljvm.exit_guard",
							 "Turns System.exit in Java into an exception (security manager, JDK 17 to 23).",
							 "Off (the default): System.exit ends the session with FATAL, as on JDK 24 and"
							 " later. On: every backend's JVM starts some 30 ms later (the security"
							 " manager's set-up, and pljvm.jar's class-data archive cannot be used).",
							 &exit_guard, false, PGC_SUSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("pljvm");
}

bool
pljvm_on_backend_thread(void)
{
	return pthread_equal(pthread_self(), backend_thread);
}

/*
 * process_stack_kb
 *		The stack limit of the process (ulimit -s), which becomes the JVM's
 *		-Xss.  The JVM runs on the backend's primordial thread and puts its
 *		stack guard pages -Xss below the top of the stack; PostgreSQL caps
 *		max_stack_depth at the same limit minus 512 kB, so no max_stack_depth
 *		it accepts lets its own recursion reach those pages (which would be a
 *		SIGSEGV and a crash-restart of the whole cluster).  An unlimited stack
 *		is refused: PostgreSQL then caps nothing, and HotSpot assumes 2 MB.
 */
static long
process_stack_kb(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_STACK, &rl) != 0)
		elog(ERROR, "pljvm: getrlimit(RLIMIT_STACK) failed: %m");
	if (rl.rlim_cur == RLIM_INFINITY)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("pljvm: the JVM cannot run with an unlimited stack size"),
				 errdetail("With \"ulimit -s unlimited\" PostgreSQL does not bound max_stack_depth, and deep recursion would reach the JVM's stack guard pages and crash the cluster."),
				 errhint("Start the server with a finite stack limit, e.g. \"ulimit -s 8192\".")));
	return (long) (rl.rlim_cur / 1024);
}

/*
 * java_major_version
 *		Major version of the JDK of libjvm, from its "release" file
 *		(<home>/lib/server/libjvm.so -> <home>/release); 0 if unknown.
 */
static int
java_major_version(const char *libjvm)
{
	char		path[MAXPGPATH];
	char		line[256];
	char	   *p;
	FILE	   *f;
	int			major = 0;

	strlcpy(path, libjvm, sizeof(path));
	for (int i = 0; i < 3 && (p = strrchr(path, '/')) != NULL; i++)
		*p = '\0';
	strlcat(path, "/release", sizeof(path));
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
	{
		if (strncmp(line, "JAVA_VERSION=\"", 14) == 0)
		{
			major = atoi(line + 14);
			if (major == 1)		/* 1.8 style */
				major = atoi(line + 16);
			break;
		}
	}
	fclose(f);
	return major;
}

/*
 * exit_hook
 *		HotSpot calls this, on its VM thread, when Java ends the process.  On
 *		JDK 17..23 the ExitGuard security manager stops System.exit before it
 *		gets here; on later JDKs this ends the backend with FATAL (as PL/Java
 *		does), which is still better than an exit that bypasses PostgreSQL.
 */
static void
exit_hook(jint code)
{
	set_stack_base();			/* we are on a JVM thread, not the backend's */
	ereport(FATAL,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("pljvm: Java called System.exit(%d); ending the session", (int) code)));
}

/*
 * abort_hook
 *		HotSpot calls this when it gives up: at a fatal error (a crash, after
 *		writing hs_err) and when JNI_CreateJavaVM cannot go on (contradictory
 *		options such as two collectors, a heap that cannot be reserved).  Then
 *		it calls exit(1) or abort(), which PostgreSQL takes for a crashed
 *		backend: every session of the server ends, and recovery runs.  A start
 *		that fails becomes a FATAL error of this session instead; nothing of
 *		PostgreSQL's was touched by then.  A fatal error of a running JVM stays
 *		a crash: this returns, and the postmaster reinitializes.
 */
static void
abort_hook(void)
{
	if (!jvm_creating || !pthread_equal(pthread_self(), creating_thread))
		return;
	jvm_creating = false;
	jvm_failed = true;
	ereport(FATAL,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
			 errmsg("pljvm: the JVM could not start; ending the session"),
			 errdetail("The JVM said: %s; libjvm: %s; options: %s",
					   jvm_start_messages(),
					   libjvm_location, vmoptions ? vmoptions : ""),
			 errhint("Fix pljvm.vmoptions and reconnect.")));
}

/*
 * vfprintf_hook
 *		Everything HotSpot prints goes on to where it was going (the server
 *		log); while JNI_CreateJavaVM runs, what the backend thread prints is
 *		also kept (the first 1 kB), for the error that a failed start reports.
 */
static jint
vfprintf_hook(FILE *fp, const char *format, va_list args)
{
	if (jvm_creating && pthread_equal(pthread_self(), creating_thread) &&
		start_messages_len < sizeof(start_messages) - 1)
	{
		va_list		copy;
		int			len;

		va_copy(copy, args);
		len = vsnprintf(start_messages + start_messages_len,
						sizeof(start_messages) - start_messages_len, format, copy);
		va_end(copy);
		if (len > 0)
			start_messages_len = Min(start_messages_len + len, sizeof(start_messages) - 1);
	}
	return vfprintf(fp, format, args);
}

/*
 * jvm_start_messages
 *		What the JVM printed during the start, on one line: its lines joined
 *		by "; ", or "(nothing)".
 */
static const char *
jvm_start_messages(void)
{
	StringInfoData out;
	const char *p = start_messages;
	const char *end = start_messages + start_messages_len;

	initStringInfo(&out);
	while (p < end)
	{
		const char *eol = p;

		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		if (eol > p)
		{
			if (out.len > 0)
				appendStringInfoString(&out, "; ");
			appendBinaryStringInfo(&out, p, eol - p);
		}
		p = eol + 1;
	}
	return out.len > 0 ? out.data : "(nothing)";
}

jclass
pljvm_global_class(JNIEnv *env, const char *name)
{
	jclass		local;
	jclass		global;
	int			i;

	/* pljvm's own: defined at start, and not to be looked up through a class loader's Java */
	if (embedded != NULL)
		for (i = 0; i < pljvm_embedded_class_count; i++)
			if (embedded[i] != NULL && strcmp(pljvm_embedded_classes[i].name, name) == 0)
				return (*env)->NewGlobalRef(env, embedded[i]);
	local = (*env)->FindClass(env, name);

	if (local == NULL)
		pljvm_raise_jni_exception(name);
	global = (*env)->NewGlobalRef(env, local);
	(*env)->DeleteLocalRef(env, local);
	return global;
}

static jmethodID
method(JNIEnv *env, jclass cls, const char *name, const char *sig, bool is_static)
{
	jmethodID	m = is_static ? (*env)->GetStaticMethodID(env, cls, name, sig)
		: (*env)->GetMethodID(env, cls, name, sig);

	if (m == NULL)
		pljvm_raise_jni_exception(name);
	return m;
}

/*
 * define_embedded
 *		Defines pljvm's own classes, embedded in pljvm.so by the build, in
 *		the JVM's boot loader, supertypes first.  Loading them from pljvm.jar
 *		through the application class loader costs a backend ~5 ms of
 *		interpreted Java before the first class (the jar's URL, code source,
 *		protection domain, manifest and package, and the NIO file system they
 *		need), and every later lookup of a stored jar's class (parent first)
 *		would search pljvm.jar again; boot classes are parsed without that,
 *		and not verified.  Not with the exit guard: pljvm.jar is then on the
 *		boot class path itself.
 */
static void
define_embedded(JNIEnv *env)
{
	jclass	   *defined = MemoryContextAllocZero(TopMemoryContext,
												 sizeof(jclass) * pljvm_embedded_class_count);
	int			i;

	for (i = 0; i < pljvm_embedded_class_count; i++)
	{
		const PljvmEmbeddedClass *c = &pljvm_embedded_classes[i];
		jclass		local;

		/*
		 * ExitGuard, a SecurityManager, serves only with the exit guard, when
		 * none of these is defined: left out, so that a JDK without the
		 * SecurityManager class would still start.
		 */
		if (strcmp(c->name, "org/pgqjava/pljvm/internal/ExitGuard") == 0)
			continue;
		local = (*env)->DefineClass(env, c->name, NULL, (const jbyte *) c->bytes, c->len);
		if (local == NULL)
			pljvm_raise_jni_exception(c->name);
		defined[i] = (*env)->NewGlobalRef(env, local);
		(*env)->DeleteLocalRef(env, local);
	}
	embedded = defined;
}

/*
 * cache_refs
 *		Looks up, once, everything the host calls.
 */
static void
cache_refs(JNIEnv *env)
{
	PljvmRefs  *r = &pljvm_refs;
	jclass		charsets;
	jfieldID	utf8;
	jobject		local;

	r->Object = pljvm_global_class(env, "java/lang/Object");
	r->String = pljvm_global_class(env, "java/lang/String");
	r->Number = pljvm_global_class(env, "java/lang/Number");
	r->Short = pljvm_global_class(env, "java/lang/Short");
	r->Integer = pljvm_global_class(env, "java/lang/Integer");
	r->Long = pljvm_global_class(env, "java/lang/Long");
	r->Float = pljvm_global_class(env, "java/lang/Float");
	r->Double = pljvm_global_class(env, "java/lang/Double");
	r->Boolean = pljvm_global_class(env, "java/lang/Boolean");
	r->byteArray = pljvm_global_class(env, "[B");
	r->ObjectArray = pljvm_global_class(env, "[Ljava/lang/Object;");
	r->Iterator = pljvm_global_class(env, "java/util/Iterator");
	r->Iterable = pljvm_global_class(env, "java/lang/Iterable");
	r->Method = pljvm_global_class(env, "java/lang/reflect/Method");
	r->IllegalStateException = pljvm_global_class(env, "java/lang/IllegalStateException");
	r->Thread = pljvm_global_class(env, "java/lang/Thread");
	r->Thread_interrupt = method(env, r->Thread, "interrupt", "()V", false);
	r->Natives = pljvm_global_class(env, "org/pgqjava/pljvm/internal/Natives");
	r->Backend = pljvm_global_class(env, "org/pgqjava/pljvm/internal/Backend");
	r->Errors = pljvm_global_class(env, "org/pgqjava/pljvm/internal/Errors");
	r->Resolver = pljvm_global_class(env, "org/pgqjava/pljvm/internal/Resolver");
	r->Loaders = pljvm_global_class(env, "org/pgqjava/pljvm/internal/Loaders");
	r->PgException = pljvm_global_class(env, "org/pgqjava/pljvm/PgException");
	r->Result = pljvm_global_class(env, "org/pgqjava/pljvm/Result");
	r->SqlRows = pljvm_global_class(env, "org/pgqjava/pljvm/SqlRows");
	r->SqlArg = pljvm_global_class(env, "org/pgqjava/pljvm/SqlArg");
	r->SqlArg_call = (*env)->GetFieldID(env, r->SqlArg, "call", "J");
	r->SqlArg_index = (*env)->GetFieldID(env, r->SqlArg, "index", "I");
	if (r->SqlArg_call == NULL || r->SqlArg_index == NULL)
		pljvm_raise_jni_exception("SqlArg fields");
	r->SqlRows_sql = (*env)->GetFieldID(env, r->SqlRows, "sql", "Ljava/lang/String;");
	r->SqlRows_types = (*env)->GetFieldID(env, r->SqlRows, "types", "[Ljava/lang/String;");
	r->SqlRows_args = (*env)->GetFieldID(env, r->SqlRows, "args", "[Ljava/lang/Object;");
	if (r->SqlRows_sql == NULL || r->SqlRows_types == NULL || r->SqlRows_args == NULL)
		pljvm_raise_jni_exception("SqlRows fields");

	r->Number_longValue = method(env, r->Number, "longValue", "()J", false);
	/* read directly by number_long: a field read instead of a call into Java */
	r->Long_value = (*env)->GetFieldID(env, r->Long, "value", "J");
	r->Integer_value = (*env)->GetFieldID(env, r->Integer, "value", "I");
	if (r->Long_value == NULL || r->Integer_value == NULL)
		pljvm_raise_jni_exception("Long/Integer value fields");
	r->Number_doubleValue = method(env, r->Number, "doubleValue", "()D", false);
	r->Boolean_booleanValue = method(env, r->Boolean, "booleanValue", "()Z", false);
	r->Short_valueOf = method(env, r->Short, "valueOf", "(S)Ljava/lang/Short;", true);
	r->Integer_valueOf = method(env, r->Integer, "valueOf", "(I)Ljava/lang/Integer;", true);
	r->Long_valueOf = method(env, r->Long, "valueOf", "(J)Ljava/lang/Long;", true);
	r->Float_valueOf = method(env, r->Float, "valueOf", "(F)Ljava/lang/Float;", true);
	r->Double_valueOf = method(env, r->Double, "valueOf", "(D)Ljava/lang/Double;", true);
	r->Boolean_valueOf = method(env, r->Boolean, "valueOf", "(Z)Ljava/lang/Boolean;", true);
	r->String_fromBytes = method(env, r->String, "<init>", "([BLjava/nio/charset/Charset;)V", false);
	r->String_getBytes = method(env, r->String, "getBytes", "(Ljava/nio/charset/Charset;)[B", false);
	r->String_intern = method(env, r->String, "intern", "()Ljava/lang/String;", false);
	r->Object_toString = method(env, r->Object, "toString", "()Ljava/lang/String;", false);
	r->Iterator_hasNext = method(env, r->Iterator, "hasNext", "()Z", false);
	r->Iterator_next = method(env, r->Iterator, "next", "()Ljava/lang/Object;", false);
	r->Iterable_iterator = method(env, r->Iterable, "iterator", "()Ljava/util/Iterator;", false);
	r->Method_getDeclaringClass = method(env, r->Method, "getDeclaringClass", "()Ljava/lang/Class;", false);
	r->Backend_init = method(env, r->Backend, "init", "(ZZ)Ljava/lang/String;", true);
	r->Backend_sharing = method(env, r->Backend, "sharing", "()Z", true);
	r->Backend_clearInterrupt = method(env, r->Backend, "clearInterrupt", "()V", true);
	r->Errors_describe = method(env, r->Errors, "describe", "(Ljava/lang/Throwable;)[Ljava/lang/String;", true);
	r->Resolver_resolve = method(env, r->Resolver, "resolve",
								 "(Ljava/lang/String;Ljava/lang/String;[IIZ)[Ljava/lang/Object;", true);
	r->Loaders_refresh = method(env, r->Loaders, "refresh", "()I", true);
	r->PgException_init = method(env, r->PgException, "<init>",
								 "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V", false);
	r->Result_init = method(env, r->Result, "<init>", "(J[Ljava/lang/String;[[Ljava/lang/Object;)V", false);
	r->SqlArg_init = method(env, r->SqlArg, "<init>", "(JIII)V", false);

	charsets = (*env)->FindClass(env, "java/nio/charset/StandardCharsets");
	if (charsets == NULL)
		pljvm_raise_jni_exception("StandardCharsets");
	utf8 = (*env)->GetStaticFieldID(env, charsets, "UTF_8", "Ljava/nio/charset/Charset;");
	if (utf8 == NULL)
		pljvm_raise_jni_exception("UTF_8");
	local = (*env)->GetStaticObjectField(env, charsets, utf8);
	r->UTF_8 = (*env)->NewGlobalRef(env, local);
	(*env)->DeleteLocalRef(env, local);
	(*env)->DeleteLocalRef(env, charsets);
}

/*
 * class_archive
 *		The class-data archive that goes with the class path: pljvm.jsa next
 *		to pljvm.jar, written by "make install" (Makefile: install-archive).
 *		It holds JDK classes only (pljvm's own are defined from pljvm.so), so
 *		it fits any jar, but only the JDK build it was written with.  NULL if
 *		there is none, or if the class path is not a single jar.
 *
 *		An archive written before libjvm was put in place (its inode change
 *		time: a package manager installs new files, keeping the build's
 *		modification time) is left out and kept in stale_archive: given one
 *		that does not fit, HotSpot runs with no class-data sharing at all,
 *		while without it the JDK's own archive still serves.
 */
static bool
changed_after(const struct stat *a, const struct stat *b)
{
	return a->st_ctim.tv_sec > b->st_mtim.tv_sec ||
		(a->st_ctim.tv_sec == b->st_mtim.tv_sec && a->st_ctim.tv_nsec > b->st_mtim.tv_nsec);
}

static char *
class_archive(const char *cp)
{
	size_t		len = strlen(cp);
	char	   *path;
	struct stat jsa,
				lib;

	stale_archive = NULL;
	if (len < 5 || strcmp(cp + len - 4, ".jar") != 0 || strchr(cp, ':') != NULL)
		return NULL;
	path = MemoryContextStrdup(TopMemoryContext, cp);	/* kept for the warning */
	strcpy(path + len - 4, ".jsa");
	if (access(path, R_OK) != 0 || stat(path, &jsa) != 0)
	{
		pfree(path);
		return NULL;
	}
	if (libjvm_location != NULL && stat(libjvm_location, &lib) == 0 && changed_after(&lib, &jsa))
	{
		stale_archive = path;
		return NULL;
	}
	return path;
}

/*
 * pljvm_time_refs
 *		The references for timestamptz, looked up at the first conversion of
 *		one rather than at JVM start: FindClass initializes the class, and
 *		java.time's initialization is some 20 classes of interpreted Java
 *		that a backend which never converts a timestamptz need not run.
 */
void
pljvm_time_refs(void)
{
	PljvmRefs  *r = &pljvm_refs;
	JNIEnv	   *env = pljvm_env;

	if (r->Conv_timestampToPg != NULL)
		return;
	r->OffsetDateTime = pljvm_global_class(env, "java/time/OffsetDateTime");
	r->Conv = pljvm_global_class(env, "org/pgqjava/pljvm/internal/Conv");
	r->Conv_timestampFromPg = method(env, r->Conv, "timestampFromPg", "(J)Ljava/time/OffsetDateTime;", true);
	r->Conv_timestampToPg = method(env, r->Conv, "timestampToPg", "(Ljava/time/OffsetDateTime;)J", true);
}

/*
 * build_options
 *		Splits pljvm.vmoptions at white space and adds what pljvm needs.
 *		Returns the number of options; sets jvm_stack_kb.
 */
static int
build_options(JavaVMOption *opts, int max, int java_major)
{
	char	   *copy = pstrdup(vmoptions ? vmoptions : "");
	char	   *tok;
	char	   *save = NULL;
	int			n = 0;
	bool		own_sharing = false;	/* the options choose the archive themselves */

	/* the hooks first: HotSpot reads the options in order and may fail at any */
	opts[n].optionString = "vfprintf";
	opts[n++].extraInfo = (void *) vfprintf_hook;
	opts[n].optionString = "abort";
	opts[n++].extraInfo = (void *) abort_hook;
	opts[n].optionString = "exit";
	opts[n++].extraInfo = (void *) exit_hook;

	for (tok = strtok_r(copy, " \t\n\r", &save); tok; tok = strtok_r(NULL, " \t\n\r", &save))
	{
		if (n >= max - 6)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pljvm: too many options in pljvm.vmoptions (at most %d)", max - 9)));
		if (strncmp(tok, "-Xss", 4) == 0 || strncmp(tok, "-XX:ThreadStackSize", 19) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pljvm: pljvm.vmoptions must not set the thread stack size (\"%s\")", tok),
					 errdetail("The JVM runs on the backend's stack; pljvm sizes it to the process stack limit (%ld kB) so that no max_stack_depth can reach the JVM's stack guard pages.",
							   process_stack_kb()),
					 errhint("Remove %s from pljvm.vmoptions; to change the stack, change \"ulimit -s\" of the server.", tok)));
		if (strncmp(tok, "-Djava.class.path=", 18) == 0 || strcmp(tok, "-cp") == 0 ||
			strncmp(tok, "-Xbootclasspath", 15) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pljvm: pljvm.vmoptions must not set the class path"),
					 errhint("Set pljvm.classpath, or install jars with pljvm.install_jar.")));
		if (strncmp(tok, "-Xshare", 7) == 0 || strstr(tok, "SharedArchiveFile") != NULL)
			own_sharing = true;
		opts[n++].optionString = tok;
	}
	jvm_stack_kb = process_stack_kb();
	opts[n++].optionString = psprintf("-Xss%ldk", jvm_stack_kb);
	opts[n++].optionString = "-Xrs";	/* leave SIGINT/TERM/HUP/QUIT to PostgreSQL */
	/*
	 * With the exit guard, pljvm.jar goes on the boot class path: its
	 * ExitGuard security manager is then a bootstrap class, and installing it
	 * skips the security policy set-up (some 160 classes and file reads).  A
	 * boot class path append turns off the archived module graph, though, and
	 * pljvm.jar's own archive is for the application class path; so without
	 * the guard pljvm.jar is the class path, and its archive, if there is
	 * one, holds pljvm's classes and the JDK's it uses, parsed and verified.
	 */
	jvm_archive = NULL;
	if (exit_guard)
		opts[n++].optionString = psprintf("-Xbootclasspath/a:%s", classpath ? classpath : "");
	else
	{
		opts[n++].optionString = psprintf("-Djava.class.path=%s", classpath ? classpath : "");
		if (!own_sharing && (jvm_archive = class_archive(classpath ? classpath : "")) != NULL)
			opts[n++].optionString = psprintf("-XX:SharedArchiveFile=%s", jvm_archive);
	}
	/*
	 * The ExitGuard security manager turns System.exit into an exception.
	 * Installed at JVM start (a bootstrap class, so no policy set-up and only
	 * a two-line deprecation notice in the server log); JDK 24 and later have
	 * no security manager and refuse to start with this option.
	 */
	if (exit_guard && java_major > 0 && java_major <= 23)
		opts[n++].optionString = "-Djava.security.manager=org.pgqjava.pljvm.internal.ExitGuard";
	return n;
}

/*
 * pljvm_check_stack
 *		Refuses to run Java if max_stack_depth reaches into the JVM's stack
 *		guard.  With the JVM stack at the process limit, PostgreSQL's own cap
 *		on max_stack_depth already prevents it; this cheap check (every call)
 *		guards against anything that changes either behind our back.
 */
void
pljvm_check_stack(void)
{
	if ((long) max_stack_depth + STACK_SLOP_KB > jvm_stack_kb)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pljvm: JVM thread stack size %ldkB is too small for max_stack_depth = %dkB",
						jvm_stack_kb, max_stack_depth),
				 errdetail("The JVM shares the backend's stack; it needs max_stack_depth plus %dkB.",
						   STACK_SLOP_KB),
				 errhint("Lower max_stack_depth to %ldkB or less.", jvm_stack_kb - (long) STACK_SLOP_KB)));
}

/* milliseconds on a clock */
static double
clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/*
 * own_class_path_only
 *		Whether the JVM's application class path holds nothing pljvm's boot
 *		classes do not: the embedded classes were defined and pljvm.classpath
 *		is one jar named pljvm.jar (the installed one, or a copy of it).
 *		Stored jars' loaders then delegate to the platform loader, so that no
 *		lookup of their classes searches pljvm.jar in vain.
 */
static bool
own_class_path_only(void)
{
	const char *base;

	if (embedded == NULL || classpath == NULL || strchr(classpath, ':') != NULL)
		return false;
	base = strrchr(classpath, '/');
	return strcmp(base != NULL ? base + 1 : classpath, "pljvm.jar") == 0;
}

/*
 * create_and_bootstrap
 *		JNI_CreateJavaVM plus our bootstrap, with PostgreSQL's signals
 *		blocked so that every JVM thread (and our watchdog) inherits a mask
 *		that keeps PostgreSQL's signal handlers on the backend thread.
 */
static void
create_and_bootstrap(CreateJavaVM_t create, JavaVMInitArgs *args)
{
	JNIEnv	   *env;
	jint		rc;
	jstring		warning;
	jboolean	sharing;
	double		t0 = clock_ms(CLOCK_MONOTONIC),
				c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID),
				t1;

	start_messages_len = 0;
	start_messages[0] = '\0';
	creating_thread = pthread_self();
	jvm_creating = true;
	rc = create(&jvm, (void **) &env, args);
	jvm_creating = false;
	t1 = clock_ms(CLOCK_MONOTONIC);
	if (rc != JNI_OK)
	{
		jvm_failed = true;
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
				 errmsg("pljvm: JNI_CreateJavaVM failed (%d)", (int) rc),
				 errdetail("The JVM said: %s; libjvm: %s; options: %s",
						   jvm_start_messages(), libjvm_location, vmoptions),
				 errhint("Fix pljvm.vmoptions and reconnect (the server log has the JVM's messages too).")));
	}
	pljvm_env = env;
	backend_thread = pthread_self();
	watch_new_threads();
	if (!exit_guard)
		define_embedded(env);
	cache_refs(env);
	pljvm_register_natives(env);
	warning = (*env)->CallStaticObjectMethod(env, pljvm_refs.Backend, pljvm_refs.Backend_init,
											 (jboolean) exit_guard, (jboolean) own_class_path_only());
	if ((*env)->ExceptionCheck(env))
		pljvm_raise_jni_exception("pljvm bootstrap");
	/* the warning says System.exit cannot be stopped (asked for only if a guard was) */
	if (warning != NULL)
	{
		ereport(WARNING, (errmsg("%s", pljvm_from_jstring(warning))));
		(*env)->DeleteLocalRef(env, warning);
	}
	/* a stale archive is not an error for HotSpot: it silently runs without any */
	sharing = (*env)->CallStaticBooleanMethod(env, pljvm_refs.Backend, pljvm_refs.Backend_sharing);
	if ((*env)->ExceptionCheck(env))
		pljvm_raise_jni_exception("pljvm bootstrap");
	if (jvm_archive != NULL && !sharing)
		ereport(WARNING,
				(errmsg("pljvm: the class-data archive \"%s\" does not fit this JVM; the JVM runs without class-data sharing", jvm_archive),
				 errdetail("Every backend's JVM start then takes some 40 ms more CPU. The archive is made for one JDK build, with compatible options."),
				 errhint("Write it again with pljvm-archive.sh (next to pljvm.jar in the installation; make install runs it), after a JDK update too; or remove the file.")));
	if (stale_archive != NULL)
		ereport(WARNING,
				(errmsg("pljvm: the class-data archive \"%s\" is older than libjvm; the JVM starts without it", stale_archive),
				 errdetail("Every backend's JVM start then takes some 10 ms more CPU and more memory, with the JDK's own archive only."),
				 errhint("Write it again with pljvm-archive.sh (next to pljvm.jar in the installation; make install runs it), after a JDK update too; or remove the file.")));
	jvm_ready = true;
	elog(DEBUG1, "pljvm: JVM started in %.1f ms (JNI_CreateJavaVM %.1f ms), CPU of all its threads %.1f ms; class-data archive: %s",
		 clock_ms(CLOCK_MONOTONIC) - t0, t1 - t0, clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0,
		 !sharing ? "none" : jvm_archive != NULL ? jvm_archive : "the JDK's or the options' own");
}

/*
 * pljvm_preload_libjvm
 *		With pljvm in shared_preload_libraries: loads libjvm and the JDK
 *		libraries its start loads (libjava, libjimage, ...) into the
 *		postmaster, so that every backend inherits them loaded and relocated
 *		instead of doing it at its first call (some 3 ms and 1 MB of private
 *		memory per backend; docs/pljvm.md "Start-up").  No JVM is created
 *		here: a JVM has threads, which a fork does not copy.  A library that
 *		fails to load is reported and the server starts anyway: the backend's
 *		own dlopen then reports the error to the caller.
 */
void
pljvm_preload_libjvm(void)
{
	static const char *const jdk_libs[] = {
		"libjava.so", "libjimage.so", "libzip.so", "libnio.so", "libnet.so", "libjsvml.so"
	};
	char		dir[MAXPGPATH];
	char	   *slash;
	int			i;

	if (libjvm_location == NULL || libjvm_location[0] == '\0')
		return;
	if (dlopen(libjvm_location, RTLD_NOW | RTLD_GLOBAL) == NULL)
	{
		ereport(WARNING,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("pljvm: cannot preload libjvm \"%s\": %s", libjvm_location, dlerror()),
				 errhint("Set pljvm.libjvm_location to the libjvm.so of a JDK 17 or later.")));
		return;
	}
	/* <java home>/lib/server/libjvm.so: the others are in <java home>/lib */
	strlcpy(dir, libjvm_location, sizeof(dir));
	for (i = 0; i < 2 && (slash = strrchr(dir, '/')) != NULL; i++)
		*slash = '\0';
	if (i < 2)
		return;
	for (i = 0; i < (int) lengthof(jdk_libs); i++)
	{
		char		path[MAXPGPATH];

		snprintf(path, sizeof(path), "%s/%s", dir, jdk_libs[i]);
		/* a JDK may lack one (libjsvml is x86-64 only): the JVM then does without it too */
		if (access(path, R_OK) == 0 && dlopen(path, RTLD_NOW | RTLD_GLOBAL) == NULL)
			ereport(WARNING,
					(errmsg("pljvm: cannot preload \"%s\": %s", path, dlerror())));
	}
}

/*
 * pljvm_start_jvm
 *		Starts the JVM in this backend if it is not running yet.
 */
void
pljvm_start_jvm(void)
{
	void	   *lib;
	CreateJavaVM_t create;
	JavaVMOption opts[64];
	JavaVMInitArgs args;
	sigset_t	old;

	if (jvm_ready)
		return;
	if (jvm_failed || jvm != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
				 errmsg("pljvm: the JVM failed to start earlier in this session"),
				 errhint("A JVM can be created only once per process: fix the cause and reconnect.")));
	if (IsPostmasterEnvironment && !IsUnderPostmaster)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pljvm: the JVM cannot start in the postmaster")));

	memset(opts, 0, sizeof(opts));
	args.version = JNI_VERSION_10;
	args.options = opts;
	args.nOptions = build_options(opts, lengthof(opts), java_major_version(libjvm_location));
	args.ignoreUnrecognized = JNI_FALSE;
	pljvm_check_stack();

	lib = dlopen(libjvm_location, RTLD_NOW | RTLD_GLOBAL);
	if (lib == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("pljvm: cannot load libjvm \"%s\": %s", libjvm_location, dlerror()),
				 errhint("Set pljvm.libjvm_location to the libjvm.so of a JDK 17 or later.")));
	create = (CreateJavaVM_t) dlsym(lib, "JNI_CreateJavaVM");
	if (create == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("pljvm: \"%s\" has no JNI_CreateJavaVM", libjvm_location)));

	sigemptyset(&pg_signals);
	sigaddset(&pg_signals, SIGINT);
	sigaddset(&pg_signals, SIGTERM);
	sigaddset(&pg_signals, SIGQUIT);
	sigaddset(&pg_signals, SIGALRM);
	sigaddset(&pg_signals, SIGHUP);
	sigaddset(&pg_signals, SIGUSR1);
	sigaddset(&pg_signals, SIGUSR2);
	sigaddset(&pg_signals, SIGPIPE);
	sigaddset(&pg_signals, SIGURG);
	sigaddset(&pg_signals, SIGCHLD);

	/*
	 * HotSpot suspends and resumes its threads with SIGUSR2 unless told
	 * otherwise, installing its handler process-wide; PostgreSQL has uses for
	 * SIGUSR2.  A real-time signal PostgreSQL never uses takes its place.
	 */
	{
		char		signum[16];

		snprintf(signum, sizeof(signum), "%d", SIGRTMIN + 2);
		setenv("_JAVA_SR_SIGNUM", signum, 1);
	}
	pthread_sigmask(SIG_BLOCK, &pg_signals, &old);
	PG_TRY();
	{
		create_and_bootstrap(create, &args);
	}
	PG_FINALLY();
	{
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!jvm_ready)
			jvm_failed = true;
	}
	PG_END_TRY();
}
