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
#include <pthread.h>
#include <sys/resource.h>

#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"

#ifndef PLJVM_DEFAULT_LIBJVM
#error "PLJVM_DEFAULT_LIBJVM must be set by the Makefile"
#endif
#ifndef PLJVM_DEFAULT_CLASSPATH
#error "PLJVM_DEFAULT_CLASSPATH must be set by the Makefile"
#endif

/*
 * No -Xss here: by default the JVM gets the process stack limit (see
 * default_stack_kb), so that no max_stack_depth PostgreSQL accepts can reach
 * the JVM's guard pages.
 */
#define DEFAULT_VMOPTIONS "-Xms4m -Xmx64m -XX:+UseSerialGC " \
	"-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=16m " \
	"-XX:MaxMetaspaceSize=64m -XX:-UsePerfData -XX:+DisableAttachMechanism"

/* Daylight between max_stack_depth and the JVM's stack guard (see check). */
#define STACK_MARGIN_KB 1024

JNIEnv	   *pljvm_env = NULL;
PljvmRefs	pljvm_refs;

static char *libjvm_location = NULL;
static char *vmoptions = NULL;
static char *classpath = NULL;

static JavaVM *jvm = NULL;
static bool jvm_ready = false;	/* created and bootstrapped */
static bool jvm_failed = false; /* a start was tried and failed: final */
static long jvm_stack_kb = 0;	/* the -Xss the JVM runs with */
static pthread_t backend_thread;

typedef jint (*CreateJavaVM_t) (JavaVM **, void **, void *);

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
	MarkGUCPrefixReserved("pljvm");
}

bool
pljvm_on_backend_thread(void)
{
	return pthread_equal(pthread_self(), backend_thread);
}

/*
 * parse_size_kb
 *		"4m", "4096k", "4194304" -> kB; -1 if not a size.
 */
static long
parse_size_kb(const char *s)
{
	char	   *end;
	long		v = strtol(s, &end, 10);

	if (end == s || v <= 0)
		return -1;
	switch (*end)
	{
		case '\0':
			return v / 1024;
		case 'k':
		case 'K':
			return end[1] ? -1 : v;
		case 'm':
		case 'M':
			return end[1] ? -1 : v * 1024;
		case 'g':
		case 'G':
			return end[1] ? -1 : v * 1024 * 1024;
		default:
			return -1;
	}
}

/*
 * default_stack_kb
 *		The stack limit of the process (ulimit -s), or 8 MB if unlimited.
 *		PostgreSQL caps max_stack_depth at that limit minus 512 kB, so a JVM
 *		stack of this size keeps its guard pages out of PostgreSQL's reach.
 */
static long
default_stack_kb(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		return (long) (rl.rlim_cur / 1024);
	return 8192;
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

static jclass
global_class(JNIEnv *env, const char *name)
{
	jclass		local = (*env)->FindClass(env, name);
	jclass		global;

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

	r->Object = global_class(env, "java/lang/Object");
	r->String = global_class(env, "java/lang/String");
	r->Number = global_class(env, "java/lang/Number");
	r->Short = global_class(env, "java/lang/Short");
	r->Integer = global_class(env, "java/lang/Integer");
	r->Long = global_class(env, "java/lang/Long");
	r->Float = global_class(env, "java/lang/Float");
	r->Double = global_class(env, "java/lang/Double");
	r->Boolean = global_class(env, "java/lang/Boolean");
	r->byteArray = global_class(env, "[B");
	r->ObjectArray = global_class(env, "[Ljava/lang/Object;");
	r->OffsetDateTime = global_class(env, "java/time/OffsetDateTime");
	r->Iterator = global_class(env, "java/util/Iterator");
	r->Iterable = global_class(env, "java/lang/Iterable");
	r->Method = global_class(env, "java/lang/reflect/Method");
	r->IllegalStateException = global_class(env, "java/lang/IllegalStateException");
	r->Natives = global_class(env, "org/pgqjava/pljvm/internal/Natives");
	r->Backend = global_class(env, "org/pgqjava/pljvm/internal/Backend");
	r->Conv = global_class(env, "org/pgqjava/pljvm/internal/Conv");
	r->Errors = global_class(env, "org/pgqjava/pljvm/internal/Errors");
	r->Resolver = global_class(env, "org/pgqjava/pljvm/internal/Resolver");
	r->Loaders = global_class(env, "org/pgqjava/pljvm/internal/Loaders");
	r->PgException = global_class(env, "org/pgqjava/pljvm/PgException");
	r->Result = global_class(env, "org/pgqjava/pljvm/Result");
	r->SqlRows = global_class(env, "org/pgqjava/pljvm/SqlRows");
	r->SqlRows_sql = (*env)->GetFieldID(env, r->SqlRows, "sql", "Ljava/lang/String;");
	r->SqlRows_types = (*env)->GetFieldID(env, r->SqlRows, "types", "[Ljava/lang/String;");
	r->SqlRows_args = (*env)->GetFieldID(env, r->SqlRows, "args", "[Ljava/lang/Object;");
	if (r->SqlRows_sql == NULL || r->SqlRows_types == NULL || r->SqlRows_args == NULL)
		pljvm_raise_jni_exception("SqlRows fields");

	r->Number_longValue = method(env, r->Number, "longValue", "()J", false);
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
	r->Object_toString = method(env, r->Object, "toString", "()Ljava/lang/String;", false);
	r->Iterator_hasNext = method(env, r->Iterator, "hasNext", "()Z", false);
	r->Iterator_next = method(env, r->Iterator, "next", "()Ljava/lang/Object;", false);
	r->Iterable_iterator = method(env, r->Iterable, "iterator", "()Ljava/util/Iterator;", false);
	r->Method_getDeclaringClass = method(env, r->Method, "getDeclaringClass", "()Ljava/lang/Class;", false);
	r->Backend_init = method(env, r->Backend, "init", "()Ljava/lang/String;", true);
	r->Backend_clearInterrupt = method(env, r->Backend, "clearInterrupt", "()V", true);
	r->Conv_timestampFromPg = method(env, r->Conv, "timestampFromPg", "(J)Ljava/time/OffsetDateTime;", true);
	r->Conv_timestampToPg = method(env, r->Conv, "timestampToPg", "(Ljava/time/OffsetDateTime;)J", true);
	r->Errors_describe = method(env, r->Errors, "describe", "(Ljava/lang/Throwable;)[Ljava/lang/String;", true);
	r->Resolver_resolve = method(env, r->Resolver, "resolve",
								 "(Ljava/lang/String;Ljava/lang/String;[IIZ)[Ljava/lang/Object;", true);
	r->Loaders_refresh = method(env, r->Loaders, "refresh", "()I", true);
	r->PgException_init = method(env, r->PgException, "<init>",
								 "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V", false);
	r->Result_init = method(env, r->Result, "<init>", "(J[Ljava/lang/String;[[Ljava/lang/Object;)V", false);

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
	long		xss = -1;

	for (tok = strtok_r(copy, " \t\n\r", &save); tok; tok = strtok_r(NULL, " \t\n\r", &save))
	{
		if (n >= max - 6)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pljvm: too many options in pljvm.vmoptions (at most %d)", max - 6)));
		if (strncmp(tok, "-Xss", 4) == 0)
		{
			xss = parse_size_kb(tok + 4);
			if (xss < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("pljvm: invalid thread stack size \"%s\" in pljvm.vmoptions", tok),
						 errhint("Write it like -Xss4m.")));
		}
		if (strncmp(tok, "-Djava.class.path=", 18) == 0 || strcmp(tok, "-cp") == 0 ||
			strncmp(tok, "-Xbootclasspath", 15) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pljvm: pljvm.vmoptions must not set the class path"),
					 errhint("Set pljvm.classpath, or install jars with pljvm.install_jar.")));
		opts[n++].optionString = tok;
	}
	if (xss < 0)
	{
		xss = default_stack_kb();
		opts[n++].optionString = psprintf("-Xss%ldk", xss);
	}
	jvm_stack_kb = xss;
	opts[n++].optionString = "-Xrs";	/* leave SIGINT/TERM/HUP/QUIT to PostgreSQL */
	/*
	 * pljvm.jar goes on the boot class path: its ExitGuard security manager is
	 * then a bootstrap class, and installing it skips the security policy
	 * set-up (some 160 classes and file reads, the bulk of the start-up cost).
	 */
	opts[n++].optionString = psprintf("-Xbootclasspath/a:%s", classpath ? classpath : "");
	/*
	 * The ExitGuard security manager turns System.exit into an exception.
	 * Installed at JVM start (a bootstrap class, so no policy set-up and only
	 * a two-line deprecation notice in the server log); JDK 24 and later have
	 * no security manager and refuse to start with this option.
	 */
	if (java_major > 0 && java_major <= 23)
		opts[n++].optionString = "-Djava.security.manager=org.pgqjava.pljvm.internal.ExitGuard";
	opts[n].optionString = "exit";
	opts[n++].extraInfo = (void *) exit_hook;
	return n;
}

/*
 * pljvm_check_stack
 *		Refuses to run Java when max_stack_depth reaches into the JVM's stack
 *		guard.  The JVM runs on the backend's primordial thread and puts its
 *		guard pages -Xss below the top of the stack; PostgreSQL recursing
 *		past that point gets SIGSEGV, which crash-restarts the whole cluster.
 *		Checked at start and at every call, as max_stack_depth can be SET.
 */
void
pljvm_check_stack(void)
{
	if ((long) max_stack_depth + STACK_MARGIN_KB > jvm_stack_kb)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pljvm: JVM thread stack size %ldkB is too small for max_stack_depth = %dkB",
						jvm_stack_kb, max_stack_depth),
				 errdetail("The JVM shares the backend's stack; it needs max_stack_depth plus %dkB.",
						   STACK_MARGIN_KB),
				 errhint("Set -Xss%ldk or more in pljvm.vmoptions (for new sessions), or lower max_stack_depth.",
						 (long) max_stack_depth + STACK_MARGIN_KB)));
}

static void
check_stack_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		(rlim_t) jvm_stack_kb * 1024 > rl.rlim_cur)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pljvm: JVM thread stack size %ldkB is larger than the process stack limit %ldkB",
						jvm_stack_kb, (long) (rl.rlim_cur / 1024)),
				 errhint("Lower -Xss in pljvm.vmoptions, or raise \"ulimit -s\" for the server.")));
	pljvm_check_stack();
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

	rc = create(&jvm, (void **) &env, args);
	if (rc != JNI_OK)
	{
		jvm_failed = true;
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
				 errmsg("pljvm: JNI_CreateJavaVM failed (%d)", (int) rc),
				 errdetail("libjvm: %s; options: %s", libjvm_location, vmoptions),
				 errhint("See the server log for the JVM's own message; fix pljvm.vmoptions and reconnect.")));
	}
	pljvm_env = env;
	backend_thread = pthread_self();
	cache_refs(env);
	pljvm_register_natives(env);
	warning = (*env)->CallStaticObjectMethod(env, pljvm_refs.Backend, pljvm_refs.Backend_init);
	if ((*env)->ExceptionCheck(env))
		pljvm_raise_jni_exception("pljvm bootstrap");
	if (warning != NULL)
	{
		ereport(WARNING, (errmsg("%s", pljvm_from_jstring(warning))));
		(*env)->DeleteLocalRef(env, warning);
	}
	jvm_ready = true;
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
	sigset_t	block;
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
	check_stack_limit();

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

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGPIPE);
	sigaddset(&block, SIGURG);
	sigaddset(&block, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &block, &old);
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
