/*-------------------------------------------------------------------------
 *
 * convert.c
 *	  Values between PostgreSQL and Java: arguments, results, SPI
 *	  parameters and SPI rows.  See the type table in docs/pljvm.md.
 *
 * These functions ereport on bad values.  They are called either from the
 * call handler (no Java frame below us: fine) or from natives inside PG_TRY.
 * They never return with a Java exception pending: a JNI failure becomes an
 * ereport via pljvm_raise_jni_exception.
 *
 *-------------------------------------------------------------------------
 */
#include "pljvm.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#define ENV pljvm_env
#define R pljvm_refs

/*
 * pljvm_raise_jni_exception
 *		Turns the Java exception pending after a JNI call made by the host
 *		itself (not by user code) into an ERROR.
 */
void
pljvm_raise_jni_exception(const char *what)
{
	jthrowable	exc = (*ENV)->ExceptionOccurred(ENV);
	char	   *text = NULL;

	if (exc != NULL)
	{
		(*ENV)->ExceptionClear(ENV);
		if (R.Object_toString != NULL)
		{
			jstring		s = (*ENV)->CallObjectMethod(ENV, exc, R.Object_toString);

			if ((*ENV)->ExceptionCheck(ENV))
				(*ENV)->ExceptionClear(ENV);
			else if (s != NULL)
			{
				const char *utf = (*ENV)->GetStringUTFChars(ENV, s, NULL);

				if (utf != NULL)
				{
					text = pstrdup(utf);
					(*ENV)->ReleaseStringUTFChars(ENV, s, utf);
				}
				else
					(*ENV)->ExceptionClear(ENV);
				(*ENV)->DeleteLocalRef(ENV, s);
			}
		}
		(*ENV)->DeleteLocalRef(ENV, exc);
	}
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("pljvm: %s failed: %s", what, text ? text : "no Java exception")));
}

static inline void
check_jni(const char *what)
{
	if ((*ENV)->ExceptionCheck(ENV))
		pljvm_raise_jni_exception(what);
}

/*
 * pljvm_type_code
 *		The T_* code of a type (domains resolved to their base type).
 */
int
pljvm_type_code(Oid typid)
{
	Oid			elem;
	int			code;

	switch (typid)
	{
		case INT2OID:
			return T_INT2;
		case INT4OID:
			return T_INT4;
		case INT8OID:
			return T_INT8;
		case FLOAT4OID:
			return T_FLOAT4;
		case FLOAT8OID:
			return T_FLOAT8;
		case BOOLOID:
			return T_BOOL;
		case TEXTOID:
		case VARCHAROID:
		case NAMEOID:
			return T_TEXT;
		case BYTEAOID:
			return T_BYTEA;
		case TIMESTAMPTZOID:
			return T_TIMESTAMPTZ;
		case VOIDOID:
			return T_VOID;
		case RECORDOID:
			return T_RECORD;
		case INT8ARRAYOID:
			return T_INT8 | T_ARRAY;
		case TEXTARRAYOID:
			return T_TEXT | T_ARRAY;
		case INT4ARRAYOID:
			return T_INT4 | T_ARRAY;
		default:
			break;
	}
	if (get_typtype(typid) == TYPTYPE_DOMAIN)
		return pljvm_type_code(getBaseType(typid));
	if (type_is_rowtype(typid))
		return T_RECORD;
	elem = get_element_type(typid);
	if (OidIsValid(elem))
	{
		code = pljvm_type_code(elem);
		if (code != T_OTHER && code != T_VOID && code != T_RECORD && (code & T_ARRAY) == 0)
			return code | T_ARRAY;
	}
	return T_OTHER;
}

/*
 * pljvm_to_jstring
 *		A server-encoded string to a Java String.  Pure ASCII goes straight
 *		to UTF-16; anything else through UTF-8 and new String(byte[], UTF_8).
 */
jstring
pljvm_to_jstring(const char *s, int len)
{
	jstring		result;
	jbyteArray	bytes;
	char	   *utf8;
	int			i;

	for (i = 0; i < len; i++)
		if ((unsigned char) s[i] >= 0x80)
			break;
	if (i == len && len <= 1024)
	{
		jchar		buf[1024];

		for (i = 0; i < len; i++)
			buf[i] = (jchar) (unsigned char) s[i];
		result = (*ENV)->NewString(ENV, buf, len);
		check_jni("NewString");
		return result;
	}
	utf8 = pg_server_to_any(s, len, PG_UTF8);
	if (utf8 != s)
		len = strlen(utf8);
	bytes = (*ENV)->NewByteArray(ENV, len);
	check_jni("NewByteArray");
	(*ENV)->SetByteArrayRegion(ENV, bytes, 0, len, (const jbyte *) utf8);
	result = (*ENV)->NewObject(ENV, R.String, R.String_fromBytes, bytes, R.UTF_8);
	check_jni("new String");
	(*ENV)->DeleteLocalRef(ENV, bytes);
	if (utf8 != s)
		pfree(utf8);
	return result;
}

/* UTF-8 bytes (whatever the server encoding) to a Java String. */
jstring
pljvm_utf8_to_jstring(const char *utf8, int len)
{
	jstring		result;
	jbyteArray	bytes = (*ENV)->NewByteArray(ENV, len);

	check_jni("NewByteArray");
	(*ENV)->SetByteArrayRegion(ENV, bytes, 0, len, (const jbyte *) utf8);
	result = (*ENV)->NewObject(ENV, R.String, R.String_fromBytes, bytes, R.UTF_8);
	check_jni("new String");
	(*ENV)->DeleteLocalRef(ENV, bytes);
	return result;
}

/*
 * pljvm_from_jstring
 *		A Java String to a palloc'd, server-encoded C string.  U+0000 and
 *		anything the server encoding cannot hold are errors.
 */
char *
pljvm_from_jstring(jstring s)
{
	jsize		len = (*ENV)->GetStringLength(ENV, s);
	jbyteArray	bytes;
	jsize		nbytes;
	char	   *buf;
	char	   *server;

	if (len <= 1024)
	{
		jchar		chars[1024];
		int			i;

		(*ENV)->GetStringRegion(ENV, s, 0, len, chars);
		for (i = 0; i < len; i++)
			if (chars[i] == 0 || chars[i] >= 0x80)
				break;
		if (i == len)
		{
			buf = palloc(len + 1);
			for (i = 0; i < len; i++)
				buf[i] = (char) chars[i];
			buf[len] = '\0';
			return buf;
		}
	}
	bytes = (*ENV)->CallObjectMethod(ENV, s, R.String_getBytes, R.UTF_8);
	check_jni("String.getBytes");
	nbytes = (*ENV)->GetArrayLength(ENV, bytes);
	buf = palloc(nbytes + 1);
	(*ENV)->GetByteArrayRegion(ENV, bytes, 0, nbytes, (jbyte *) buf);
	buf[nbytes] = '\0';
	(*ENV)->DeleteLocalRef(ENV, bytes);
	/* checks the bytes (NUL included) and converts to the server encoding */
	server = pg_any_to_server(buf, nbytes, PG_UTF8);
	if (server != buf)
		pfree(buf);
	return server;
}

/* name (or a domain over it): text-like, but stored as a fixed NameData */
static inline bool
is_name_type(Oid typid)
{
	if (typid == TEXTOID || typid == VARCHAROID)
		return false;			/* the common case, without a syscache lookup */
	return typid == NAMEOID || getBaseType(typid) == NAMEOID;
}

static jobject
box(jclass cls, jmethodID valueOf, jvalue v)
{
	jobject		o = (*ENV)->CallStaticObjectMethodA(ENV, cls, valueOf, &v);

	check_jni("valueOf");
	return o;
}

static jobject
output_string(Datum d, Oid typid)
{
	Oid			typoutput;
	bool		isvarlena;
	char	   *s;

	getTypeOutputInfo(typid, &typoutput, &isvarlena);
	s = OidOutputFunctionCall(typoutput, d);
	return pljvm_to_jstring(s, strlen(s));
}

static jobject
scalar_to_java(Datum d, int code, Oid typid)
{
	jvalue		v;

	switch (code)
	{
		case T_INT2:
			v.s = DatumGetInt16(d);
			return box(R.Short, R.Short_valueOf, v);
		case T_INT4:
			v.i = DatumGetInt32(d);
			return box(R.Integer, R.Integer_valueOf, v);
		case T_INT8:
			v.j = DatumGetInt64(d);
			return box(R.Long, R.Long_valueOf, v);
		case T_FLOAT4:
			v.f = DatumGetFloat4(d);
			return box(R.Float, R.Float_valueOf, v);
		case T_FLOAT8:
			v.d = DatumGetFloat8(d);
			return box(R.Double, R.Double_valueOf, v);
		case T_BOOL:
			v.z = DatumGetBool(d) ? JNI_TRUE : JNI_FALSE;
			return box(R.Boolean, R.Boolean_valueOf, v);
		case T_TEXT:
			if (is_name_type(typid))
			{
				Name		n = DatumGetName(d);

				return pljvm_to_jstring(NameStr(*n), strlen(NameStr(*n)));
			}
			else
			{
				text	   *t = DatumGetTextPP(d);

				return pljvm_to_jstring(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			}
		case T_BYTEA:
			{
				bytea	   *b = DatumGetByteaPP(d);
				int			len = VARSIZE_ANY_EXHDR(b);
				jbyteArray	arr = (*ENV)->NewByteArray(ENV, len);

				check_jni("NewByteArray");
				(*ENV)->SetByteArrayRegion(ENV, arr, 0, len, (const jbyte *) VARDATA_ANY(b));
				return arr;
			}
		case T_TIMESTAMPTZ:
			{
				jobject		o;

				pljvm_time_refs();
				o = (*ENV)->CallStaticObjectMethod(ENV, R.Conv, R.Conv_timestampFromPg,
												   (jlong) DatumGetTimestampTz(d));

				check_jni("timestampFromPg");
				return o;
			}
		default:
			return output_string(d, typid);
	}
}

static jclass
element_class(int code)
{
	switch (code)
	{
		case T_INT2:
			return R.Short;
		case T_INT4:
			return R.Integer;
		case T_INT8:
			return R.Long;
		case T_FLOAT4:
			return R.Float;
		case T_FLOAT8:
			return R.Double;
		case T_BOOL:
			return R.Boolean;
		case T_BYTEA:
			return R.byteArray;
		case T_TIMESTAMPTZ:
			pljvm_time_refs();
			return R.OffsetDateTime;
		default:
			return R.String;
	}
}

/*
 * primitive_array
 *		An array without NULLs to long[], int[], ...
 */
static jobject
primitive_array(int code, Datum *elems, bool *nulls, int n)
{
	jarray		arr = NULL;
	void	   *buf;
	int			i;

	for (i = 0; i < n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("pljvm: array with NULL elements passed to a Java primitive array"),
					 errhint("Use the boxed array type (Long[] for long[]) in the Java method.")));
#define PRIM(ctype, newfn, setfn, getter) \
	do { \
		ctype *b = palloc(sizeof(ctype) * Max(n, 1)); \
		for (i = 0; i < n; i++) b[i] = getter(elems[i]); \
		arr = (*ENV)->newfn(ENV, n); check_jni(#newfn); \
		(*ENV)->setfn(ENV, arr, 0, n, b); buf = b; \
	} while (0)
	switch (code)
	{
		case T_INT2:
			PRIM(jshort, NewShortArray, SetShortArrayRegion, DatumGetInt16);
			break;
		case T_INT4:
			PRIM(jint, NewIntArray, SetIntArrayRegion, DatumGetInt32);
			break;
		case T_INT8:
			PRIM(jlong, NewLongArray, SetLongArrayRegion, DatumGetInt64);
			break;
		case T_FLOAT4:
			PRIM(jfloat, NewFloatArray, SetFloatArrayRegion, DatumGetFloat4);
			break;
		case T_FLOAT8:
			PRIM(jdouble, NewDoubleArray, SetDoubleArrayRegion, DatumGetFloat8);
			break;
		case T_BOOL:
			PRIM(jboolean, NewBooleanArray, SetBooleanArrayRegion, DatumGetBool);
			break;
		default:
			elog(ERROR, "pljvm: no primitive array for type code %d", code);
	}
#undef PRIM
	pfree(buf);
	return arr;
}

static jobject
array_to_java(Datum d, int code, Oid typid, bool primitive)
{
	ArrayType  *a = DatumGetArrayTypeP(d);
	Oid			elemtype = ARR_ELEMTYPE(a);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	jobjectArray arr;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("pljvm: only one-dimensional arrays are supported, got %d dimensions", ARR_NDIM(a))));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, &elems, &nulls, &n);
	if (primitive)
		return primitive_array(code, elems, nulls, n);
	arr = (*ENV)->NewObjectArray(ENV, n, element_class(code), NULL);
	check_jni("NewObjectArray");
	for (int i = 0; i < n; i++)
	{
		if (!nulls[i])
		{
			jobject		e = scalar_to_java(elems[i], code, elemtype);

			(*ENV)->SetObjectArrayElement(ENV, arr, i, e);
			(*ENV)->DeleteLocalRef(ENV, e);
		}
	}
	return arr;
}

/*
 * pljvm_datum_to_java
 *		A non-NULL value as a Java object: boxed scalars, String, byte[],
 *		OffsetDateTime, arrays (primitive arrays if asked), other types as
 *		their text form.
 */
jobject
pljvm_datum_to_java(Datum d, int code, Oid typid, bool primitive)
{
	if (code & T_ARRAY)
		return array_to_java(d, code & ~T_ARRAY, typid, primitive);
	return scalar_to_java(d, code, typid);
}

static const char *
java_class_name(jobject o)
{
	jclass		cls = (*ENV)->GetObjectClass(ENV, o);
	jstring		s = (*ENV)->CallObjectMethod(ENV, cls, R.Object_toString);
	char	   *name;

	check_jni("toString");
	name = pljvm_from_jstring(s);
	(*ENV)->DeleteLocalRef(ENV, s);
	(*ENV)->DeleteLocalRef(ENV, cls);
	return name;
}

static void
mismatch(jobject o, Oid typid)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("pljvm: cannot convert Java %s to SQL type %s",
					java_class_name(o), format_type_be(typid)),
			 errhint("See the type table in docs/pljvm.md; any type also takes a String in its text form.")));
}

static Datum
input_string(jobject o, Oid typid, int32 typmod)
{
	Oid			typinput;
	Oid			typioparam;
	jstring		s = o;
	bool		own = false;

	if (!(*ENV)->IsInstanceOf(ENV, o, R.String))
	{
		s = (*ENV)->CallObjectMethod(ENV, o, R.Object_toString);
		check_jni("toString");
		own = true;
	}
	getTypeInputInfo(typid, &typinput, &typioparam);
	{
		Datum		d = OidInputFunctionCall(typinput, pljvm_from_jstring(s), typioparam, typmod);

		if (own)
			(*ENV)->DeleteLocalRef(ENV, s);
		return d;
	}
}

static int64
number_long(jobject o, Oid typid, int64 min, int64 max)
{
	jlong		v;

	/* Long and Integer (final classes) by their field: no call into Java */
	if ((*ENV)->IsInstanceOf(ENV, o, R.Long))
		v = (*ENV)->GetLongField(ENV, o, R.Long_value);
	else if ((*ENV)->IsInstanceOf(ENV, o, R.Integer))
		v = (*ENV)->GetIntField(ENV, o, R.Integer_value);
	else
	{
		v = (*ENV)->CallLongMethod(ENV, o, R.Number_longValue);
		check_jni("longValue");
	}
	if (v < min || v > max)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("pljvm: value %lld out of range for type %s", (long long) v, format_type_be(typid))));
	return v;
}

static double
number_double(jobject o, Oid typid)
{
	jdouble		v;

	v = (*ENV)->CallDoubleMethod(ENV, o, R.Number_doubleValue);
	check_jni("doubleValue");
	return v;
}

static Datum
scalar_to_datum(jobject o, int code, Oid typid, int32 typmod)
{
	/* the expected Java class first: one JNI check on the common path */
	switch (code)
	{
		case T_INT2:
		case T_INT4:
		case T_INT8:
		case T_FLOAT4:
		case T_FLOAT8:
			if (!(*ENV)->IsInstanceOf(ENV, o, R.Number))
			{
				if ((*ENV)->IsInstanceOf(ENV, o, R.String))
					return input_string(o, typid, typmod);
				mismatch(o, typid);
			}
			break;
		case T_TEXT:
			break;
		default:
			if ((*ENV)->IsInstanceOf(ENV, o, R.String))
				return input_string(o, typid, typmod);
			break;
	}
	switch (code)
	{
		case T_INT2:
			return Int16GetDatum((int16) number_long(o, typid, PG_INT16_MIN, PG_INT16_MAX));
		case T_INT4:
			return Int32GetDatum((int32) number_long(o, typid, PG_INT32_MIN, PG_INT32_MAX));
		case T_INT8:
			return Int64GetDatum(number_long(o, typid, PG_INT64_MIN, PG_INT64_MAX));
		case T_FLOAT4:
			return Float4GetDatum((float4) number_double(o, typid));
		case T_FLOAT8:
			return Float8GetDatum(number_double(o, typid));
		case T_BOOL:
			{
				jboolean	b;

				if (!(*ENV)->IsInstanceOf(ENV, o, R.Boolean))
					mismatch(o, typid);
				b = (*ENV)->CallBooleanMethod(ENV, o, R.Boolean_booleanValue);
				check_jni("booleanValue");
				return BoolGetDatum(b == JNI_TRUE);
			}
		case T_TEXT:
			if (!(*ENV)->IsInstanceOf(ENV, o, R.String))
				mismatch(o, typid);
			if (is_name_type(typid))
				return DirectFunctionCall1(namein, CStringGetDatum(pljvm_from_jstring(o)));
			if (typmod >= 0)	/* varchar(n): let the input function check */
				return input_string(o, typid, typmod);
			return PointerGetDatum(cstring_to_text(pljvm_from_jstring(o)));
		case T_BYTEA:
			{
				jsize		len;
				bytea	   *b;

				if (!(*ENV)->IsInstanceOf(ENV, o, R.byteArray))
					mismatch(o, typid);
				len = (*ENV)->GetArrayLength(ENV, o);
				b = palloc(VARHDRSZ + len);
				SET_VARSIZE(b, VARHDRSZ + len);
				(*ENV)->GetByteArrayRegion(ENV, o, 0, len, (jbyte *) VARDATA(b));
				return PointerGetDatum(b);
			}
		case T_TIMESTAMPTZ:
			{
				jlong		t;

				pljvm_time_refs();
				if (!(*ENV)->IsInstanceOf(ENV, o, R.OffsetDateTime))
					mismatch(o, typid);
				t = (*ENV)->CallStaticLongMethod(ENV, R.Conv, R.Conv_timestampToPg, o);
				check_jni("timestampToPg");
				if (!TIMESTAMP_NOT_FINITE(t) && !IS_VALID_TIMESTAMP(t))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("timestamp out of range")));
				return TimestampTzGetDatum(t);
			}
		default:
			return input_string(o, typid, typmod);
	}
}

static Datum
java_to_array(jobject o, int code, Oid typid)
{
	Oid			elemtype = get_element_type(getBaseType(typid));
	int16		typlen;
	bool		typbyval;
	char		typalign;
	jsize		n;
	Datum	   *elems;
	bool	   *nulls;
	int			dims[1];
	int			lbs[1] = {1};
	bool		is_object = (*ENV)->IsInstanceOf(ENV, o, R.ObjectArray);

	if (!OidIsValid(elemtype))
		mismatch(o, typid);
	n = (*ENV)->GetArrayLength(ENV, o);
	check_jni("GetArrayLength");
	elems = palloc(sizeof(Datum) * Max(n, 1));
	nulls = palloc0(sizeof(bool) * Max(n, 1));
	if (is_object)
	{
		for (jsize i = 0; i < n; i++)
		{
			jobject		e = (*ENV)->GetObjectArrayElement(ENV, o, i);

			check_jni("GetObjectArrayElement");
			if (e == NULL)
				nulls[i] = true;
			else
			{
				elems[i] = scalar_to_datum(e, code, elemtype, -1);
				(*ENV)->DeleteLocalRef(ENV, e);
			}
		}
	}
	else
	{
		/* primitive array: copy the region, then widen to Datums */
#define PRIMC(ctype, getfn, todatum) \
		do { \
			ctype *b = palloc(sizeof(ctype) * Max(n, 1)); \
			(*ENV)->getfn(ENV, o, 0, n, b); \
			check_jni(#getfn); \
			for (jsize i = 0; i < n; i++) \
				elems[i] = todatum(b[i]); \
			pfree(b); \
		} while (0)
		jclass		cls = (*ENV)->GetObjectClass(ENV, o);
		jclass		want = NULL;

		switch (code)
		{
			case T_INT2:
				want = (*ENV)->FindClass(ENV, "[S");
				break;
			case T_INT4:
				want = (*ENV)->FindClass(ENV, "[I");
				break;
			case T_INT8:
				want = (*ENV)->FindClass(ENV, "[J");
				break;
			case T_FLOAT4:
				want = (*ENV)->FindClass(ENV, "[F");
				break;
			case T_FLOAT8:
				want = (*ENV)->FindClass(ENV, "[D");
				break;
			case T_BOOL:
				want = (*ENV)->FindClass(ENV, "[Z");
				break;
			default:
				mismatch(o, typid);
		}
		check_jni("FindClass");
		if (!(*ENV)->IsSameObject(ENV, cls, want))
			mismatch(o, typid);
		switch (code)
		{
			case T_INT2:
				PRIMC(jshort, GetShortArrayRegion, Int16GetDatum);
				break;
			case T_INT4:
				PRIMC(jint, GetIntArrayRegion, Int32GetDatum);
				break;
			case T_INT8:
				PRIMC(jlong, GetLongArrayRegion, Int64GetDatum);
				break;
			case T_FLOAT4:
				PRIMC(jfloat, GetFloatArrayRegion, Float4GetDatum);
				break;
			case T_FLOAT8:
				PRIMC(jdouble, GetDoubleArrayRegion, Float8GetDatum);
				break;
			default:
				PRIMC(jboolean, GetBooleanArrayRegion, BoolGetDatum);
				break;
		}
#undef PRIMC
		(*ENV)->DeleteLocalRef(ENV, cls);
		(*ENV)->DeleteLocalRef(ENV, want);
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	dims[0] = n;
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, elemtype, typlen, typbyval, typalign));
}

/*
 * pljvm_java_to_datum
 *		A non-null Java object to a value of SQL type typid (T_* code code).
 *		A String is accepted for any non-text type and goes through the
 *		type's input function.
 */
Datum
pljvm_java_to_datum(jobject o, int code, Oid typid, int32 typmod)
{
	if ((code & T_ARRAY) && !(*ENV)->IsInstanceOf(ENV, o, R.String))
	{
		if (!(*ENV)->IsInstanceOf(ENV, o, R.ObjectArray) && code == (T_BYTEA | T_ARRAY))
			mismatch(o, typid);
		return java_to_array(o, code & ~T_ARRAY, typid);
	}
	if (code & T_ARRAY)
		return input_string(o, typid, typmod);
	return scalar_to_datum(o, code, typid, typmod);
}

/*
 * pljvm_tuple_to_java
 *		One row as Object[] (codes: the T_* code of each attribute).
 */
jobjectArray
pljvm_tuple_to_java(HeapTuple tup, TupleDesc desc, const int *codes)
{
	jobjectArray row = (*ENV)->NewObjectArray(ENV, desc->natts, R.Object, NULL);

	check_jni("NewObjectArray");
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		bool		isnull;
		Datum		d;

		if (att->attisdropped)
			continue;
		d = heap_getattr(tup, i + 1, desc, &isnull);
		if (!isnull)
		{
			jobject		v = pljvm_datum_to_java(d, codes[i], att->atttypid, false);

			(*ENV)->SetObjectArrayElement(ENV, row, i, v);
			(*ENV)->DeleteLocalRef(ENV, v);
		}
	}
	return row;
}

/*
 * pljvm_java_to_tuple
 *		A Java Object[] row to a tuple of desc: one element per attribute
 *		that is not dropped, in order.
 */
HeapTuple
pljvm_java_to_tuple(jobjectArray row, TupleDesc desc)
{
	Datum	   *values = palloc0(sizeof(Datum) * Max(desc->natts, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	int			live = 0;
	jsize		n;
	int			j = 0;

	if (!(*ENV)->IsInstanceOf(ENV, row, R.ObjectArray))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("pljvm: a row must be an Object[], got %s", java_class_name(row))));
	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped)
			live++;
	n = (*ENV)->GetArrayLength(ENV, row);
	if (n != live)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("pljvm: returned row has %d values, the result type has %d columns", (int) n, live)));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		jobject		v;

		nulls[i] = true;
		if (att->attisdropped)
			continue;
		v = (*ENV)->GetObjectArrayElement(ENV, row, j++);
		check_jni("GetObjectArrayElement");
		if (v != NULL)
		{
			values[i] = pljvm_java_to_datum(v, pljvm_type_code(att->atttypid), att->atttypid, att->atttypmod);
			nulls[i] = false;
			(*ENV)->DeleteLocalRef(ENV, v);
		}
	}
	return heap_form_tuple(desc, values, nulls);
}
