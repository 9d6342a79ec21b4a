//! Data-driven tests of the hard cases, each a small registry and civil
//! extract over a deterministic background population.

use crate::testkit::check;

const REG: &str = "id_art|id_keluarga|nik|nama|jenis_kelamin|tgl_lahir|tempat_lahir|nama_ibu_kandung|alamat|kode_wilayah";
const CIV: &str = "nik|nama|jenis_kelamin|tgl_lahir|tempat_lahir|nama_ibu_kandung|alamat|kode_wilayah|status_hidup|tgl_meninggal";

fn reg(rows: &str) -> String {
    format!("{REG}\n{rows}")
}
fn civ(rows: &str) -> String {
    format!("{CIV}\n{rows}")
}

#[test]
fn an_exact_record_is_padan_and_kept() {
    check(
        &reg(
            "T1|K1|3273015205800001|SITI AMINAH|P|1980-05-12|BANDUNG|ONAH|JL MAWAR 1|32.73.01.1001",
        ),
        &civ("3273015205800001|SITI AMINAH|P|1980-05-12|BANDUNG|ONAH|JL MAWAR 1|32.73.01.1001||"),
        "T1 PADAN TETAP",
    );
}

#[test]
fn a_misspelt_name_with_titles_is_padan_and_corrected() {
    check(
        &reg(
            "T1|K1|3273015205800001|Hj. Siti Amina, S.Pd.|P|1980-05-12|BANDUNG|ONAH|JL MAWAR 1|32.73.01.1001
             T2|K2|3273011107750002|H. MOCH. SOLEHUDIN|L|1975-07-11|GARUT|EUIS|JL MELATI 2|32.73.01.1002",
        ),
        &civ(
            "3273015205800001|SITI AMINAH|P|1980-05-12|BANDUNG|ONAH|JL MAWAR 1|32.73.01.1001||
             3273011107750002|MUHAMMAD SOLEHUDIN|L|1975-07-11|GARUT|EUIS|JL MELATI 2|32.73.01.1002||",
        ),
        "T1 PADAN PERBAIKI
         T2 PADAN PERBAIKI",
    );
}

#[test]
fn a_person_without_nik_is_found_under_a_nickname_and_old_spelling() {
    check(
        &reg("T1|K1||WAWAN SOEPRIADI|L|1982-03-14|BANDUNG|TJITJIH|JL MAWAR 3|32.73.01.1001"),
        &civ(
            "3273011403820003|HERMAWAN SUPRIADI|L|1982-03-14|BANDUNG|CICIH|JL MAWAR 3|32.73.01.1001||",
        ),
        "T1 TANPA_NIK PERBAIKI usulan=3273011403820003",
    );
}

#[test]
fn a_swapped_day_and_month_still_links() {
    check(
        &reg("T1|K1||DARSONO WIRYO|L|1985-07-03|GARUT|SARINAH|JL KENANGA 4|32.73.02.1001"),
        &civ(
            "3273020307850004|DARSONO WIRYO|L|1985-03-07|GARUT|SARINAH|JL KENANGA 4|32.73.02.1001||",
        ),
        "T1 TANPA_NIK PERBAIKI usulan=3273020307850004",
    );
}

#[test]
fn transposed_nik_digits_are_proposed_back() {
    check(
        &reg(
            "T1|K1|3273021209900050|YAYAN SOPYAN|L|1990-09-12|BOGOR|IMAS|JL ANGGREK 5|32.73.02.1002",
        ),
        &civ("3273021209900005|YAYAN SOPYAN|L|1990-09-12|BOGOR|IMAS|JL ANGGREK 5|32.73.02.1002||"),
        "T1 NIK_TIDAK_DITEMUKAN PERBAIKI usulan=3273021209900005",
    );
}

#[test]
fn an_excel_mangled_nik_is_invalid_and_the_real_one_proposed() {
    check(
        &reg("T1|K1|3.27302E+15|NANI SURYANI|P|1970-02-21|BANDUNG|ENTIN|JL DAHLIA 6|32.73.02.1002"),
        &civ(
            "3273026102700006|NANI SURYANI|P|1970-02-21|BANDUNG|ENTIN|JL DAHLIA 6|32.73.02.1002||",
        ),
        "T1 NIK_TIDAK_VALID PERBAIKI usulan=3273026102700006",
    );
}

#[test]
fn a_survey_placeholder_means_no_nik() {
    check(
        &reg(
            "T1|K1|9999999999999996|OMAN ABDURAHMAN|L|1960-10-10|GARUT|ICIH|JL SAWO 7|32.73.01.1001",
        ),
        &civ("3273011010600007|OMAN ABDURAHMAN|L|1960-10-10|GARUT|ICIH|JL SAWO 7|32.73.01.1001||"),
        "T1 TANPA_NIK PERBAIKI usulan=3273011010600007",
    );
}

#[test]
fn twins_in_one_household_are_not_duplicates() {
    check(
        &reg(
            "T1|K9|3273010506100008|HASAN BASRI|L|2010-06-05|BANDUNG|KOKOM|JL JAMBU 8|32.73.01.1001
             T2|K9|3273010506100009|HUSEN BASRI|L|2010-06-05|BANDUNG|KOKOM|JL JAMBU 8|32.73.01.1001
             T3|K9||HUSEIN BASRI|L|2010-06-05|BANDUNG|KOKOM|JL JAMBU 8|32.73.01.1001",
        ),
        &civ(
            "3273010506100008|HASAN BASRI|L|2010-06-05|BANDUNG|KOKOM|JL JAMBU 8|32.73.01.1001||
             3273010506100009|HUSEN BASRI|L|2010-06-05|BANDUNG|KOKOM|JL JAMBU 8|32.73.01.1001||",
        ),
        // T3 is the second twin written again with a spelling variant: a duplicate of T2, not of T1.
        "T1 PADAN TETAP
         T2 PADAN [GANDA] TETAP utama=T2
         T3 TANPA_NIK [GANDA] HAPUS usulan=3273010506100009 utama=T2",
    );
}

#[test]
fn namesakes_with_different_birth_dates_are_not_duplicates() {
    check(
        &reg(
            "T1|K1||AHMAD FAUZAN|L|1988-01-15|BANDUNG|NENENG|JL PALA 9|32.73.01.1001
             T2|K2||AHMAD FAUZAN|L|1993-11-02|GARUT|EMAH|JL PALA 19|32.73.01.1001",
        ),
        &civ(
            "3273011501880010|AHMAD FAUZAN|L|1988-01-15|BANDUNG|NENENG|JL PALA 9|32.73.01.1001||
             3273010211930011|AHMAD FAUZAN|L|1993-11-02|GARUT|EMAH|JL PALA 19|32.73.01.1001||",
        ),
        "T1 TANPA_NIK PERBAIKI usulan=3273011501880010
         T2 TANPA_NIK PERBAIKI usulan=3273010211930011",
    );
}

#[test]
fn a_person_listed_twice_keeps_the_padan_row() {
    check(
        &reg(
            "T2|K1||ENCUM SUMIATI|P|1966-04-30|BANDUNG|ITING|JL NANGKA 10|32.73.01.1002
             T1|K5|3273017004660012|ENCUM SUMIATI|P|1966-04-30|BANDUNG|ITING|JL NANGKA 10|32.73.01.1002",
        ),
        &civ("3273017004660012|ENCUM SUMIATI|P|1966-04-30|BANDUNG|ITING|JL NANGKA 10|32.73.01.1002||"),
        "T2 TANPA_NIK [GANDA] HAPUS usulan=3273017004660012 utama=T1
         T1 PADAN [GANDA] TETAP utama=T1",
    );
}

#[test]
fn a_deceased_resident_is_flagged_only_on_a_confident_match() {
    check(
        &reg(
            "T1|K1|3273011208450013|KARTA WIJAYA|L|1945-08-12|GARUT|INAH|JL SIRSAK 11|32.73.01.1001
             T2|K2||KARTO WIJOYO|L|1951-02-03|BOGOR|ENOK|JL DUKU 12|32.73.02.1001",
        ),
        &civ(
            "3273011208450013|KARTA WIJAYA|L|1945-08-12|GARUT|INAH|JL SIRSAK 11|32.73.01.1001|MENINGGAL|2024-03-01
             3273020302530014|KARTA WIJAYA|L|1953-02-03|GARUT|INAH|JL SIRSAK 11|32.73.01.1001|MENINGGAL|2023-01-05",
        ),
        "T1 PADAN [MENINGGAL] HAPUS
         T2 TANPA_NIK PERBAIKI",
    );
}

#[test]
fn a_resident_who_moved_to_another_regency_is_flagged_pindah() {
    check(
        &reg(
            "T1|K1|3273010101700015|UJANG KOSASIH|L|1970-01-01|BANDUNG|ENOH|JL PEPAYA 13|32.73.01.1001",
        ),
        &civ(
            "3273010101700015|UJANG KOSASIH|L|1970-01-01|BANDUNG|ENOH|JL RAYA BOGOR 3|32.01.01.1001||",
        ),
        "T1 PADAN [PINDAH] HAPUS",
    );
}

#[test]
fn a_retired_region_code_is_not_a_move() {
    // 14.07.08.2007 (Tanjungmedan) was renumbered 14.09.05.2012; the NIK keeps the old district.
    check(
        &reg("T1|K1|1407080505800016|ZULKIFLI|L|1980-05-05|ROKAN|RAHMAH|DUSUN II|14.07.08.2007"),
        &civ("1407080505800016|ZULKIFLI|L|1980-05-05|ROKAN|RAHMAH|DUSUN II|14.09.05.2012||"),
        "T1 PADAN TETAP",
    );
}

#[test]
fn a_nik_that_belongs_to_someone_else_is_tidak_padan_with_the_right_nik_proposed() {
    check(
        &reg("T1|K1|3273010303600017|ROHIMAT SAEPUDIN|L|1978-09-09|GARUT|OYOH|JL KEMUNING 14|32.73.01.1002"),
        &civ(
            "3273010303600017|SUKIRMAN|L|1960-03-03|BOGOR|PARMI|JL ASEM 20|32.73.01.1002||
             3273010909780018|ROHIMAT SAEPUDIN|L|1978-09-09|GARUT|OYOH|JL KEMUNING 14|32.73.01.1002||",
        ),
        // The NIK's embedded birth date is the other person's, so the NIK check fires too.
        "T1 TIDAK_PADAN [NIK_BEDA_IDENTITAS] PERBAIKI usulan=3273010909780018",
    );
}

#[test]
fn a_nik_whose_embedded_birth_date_disagrees_is_flagged() {
    check(
        &reg(
            "T1|K1|3273010201850019|DADANG SUNANDAR|L|1985-01-03|BANDUNG|EUTIK|JL JERUK 15|32.73.01.1001",
        ),
        &civ(
            "3273010201850019|DADANG SUNANDAR|L|1985-01-03|BANDUNG|EUTIK|JL JERUK 15|32.73.01.1001||",
        ),
        "T1 PADAN [NIK_BEDA_IDENTITAS] PERBAIKI",
    );
}

#[test]
fn a_well_formed_nik_of_nobody_without_any_match_is_not_found() {
    check(
        &reg(
            "T1|K1|3273010808080020|PERSON TANPA JEJAK|L|2008-08-08|BANDUNG|ANONIM|JL KOSONG 1|32.73.01.1001",
        ),
        &civ(""),
        "T1 NIK_TIDAK_DITEMUKAN PERBAIKI",
    );
}

#[test]
fn the_explanation_sentence_names_the_correction() {
    let rows = crate::testkit::run(
        &reg(
            "T1|K1|3273015205800001|SITI AMINA|P|1980-05-12|BANDUNG|ONAH|JL MAWAR 1|32.73.01.1001",
        ),
        &civ("3273015205800001|SITI AMINAH|P|1980-05-12|BANDUNG|ONAH|JL MAWAR 1|32.73.01.1001||"),
    );
    assert_eq!(
        rows[0].keterangan,
        "NIK padan; nama di Dukcapil tertulis SITI AMINAH, perbaiki dari SITI AMINA."
    );
    assert!(rows[0].skor.is_some_and(|s| s > 0.99));
}

#[test]
fn a_chain_of_near_namesakes_does_not_merge_its_ends() {
    // A~B and B~C are each one birth-date step apart, A and C two: without the
    // complete-linkage check, single-link clustering would make one group of three.
    check(
        &reg(
            "T1|K1||ASEP SAEPUDIN|L|1980-01-01|GARUT|ENTIN|JL SUKA 1|32.73.02.1001
             T2|K2||ASEP SAEPUDIN|L|1980-01-02|GARUT|ENTIN|JL SUKA 1|32.73.02.1001
             T3|K3||ASEP SAEPUDIN|L|1980-01-03|GARUT|ENTIN|JL SUKA 1|32.73.02.1001",
        ),
        &civ(""),
        "T1 TANPA_NIK [GANDA] PERBAIKI utama=T1
         T2 TANPA_NIK [GANDA] HAPUS utama=T1
         T3 TANPA_NIK PERBAIKI",
    );
}

#[test]
fn a_person_registered_again_in_another_district_after_moving_is_a_duplicate() {
    // T1 is right and matches Dukcapil, which still has the first village.
    // T2 was written in a village of another district of the same city after
    // the move: no NIK, the day and month of birth swapped, another address;
    // only the name, the mother's name and the birthplace are as before.
    check(
        &reg(
            "T1|K1|3276014602970021|DEWI LESTARI|P|1997-02-06|DEPOK|SITI AMINAH|JL MAWAR 21|32.76.01.1001
             T2|K2||DEWI LESTARI|P|1997-06-02|DEPOK|SITI AMINAH|GG MELATI II|32.76.05.1003",
        ),
        &civ(
            "3276014602970021|DEWI LESTARI|P|1997-02-06|DEPOK|SITI AMINAH|JL MAWAR 21|32.76.01.1001||",
        ),
        "T1 PADAN [GANDA] TETAP utama=T1
         T2 TANPA_NIK [GANDA] HAPUS usulan=3276014602970021 utama=T1",
    );
}

#[test]
fn a_one_word_name_in_the_old_spelling_without_nik_is_found() {
    // JUSUF is YUSUF with the J the old spelling wrote for Y; nothing else in
    // the word marks it as old, so only the phonetic key can bring them together.
    check(
        &reg(
            "T1|K1||JUSUF|L|1979-06-26|MUSI RAWAS|KHADIJAH|DUSUN CIMANGGU|16.07.06.2017
             T2|K2||NURHAJATI|P|1969-07-12|BENGKULU|RAMLAH|JL MASJID 4|16.07.06.2017
             T3|K3||LIDJA|P|2010-08-30|DEPOK|NURHAYATI|GG NANGKA IV|16.07.06.2017",
        ),
        &civ(
            "1607062606790022|YUSUF|L|1979-06-26|MUSI RAWAS|KHADIJAH|DUSUN CIMANGGU|16.07.06.2017||
             1607065207690023|NURHAYATI|P|1969-07-12|BENGKULU|RAMLAH|JL MASJID 4|16.07.06.2017||
             1607067008100024|LIDYA|P|2010-08-30|DEPOK|NURHAYATI|GG NANGKA IV|16.07.06.2017||",
        ),
        // LIDJA is LIDYA with the Y written J, and reads back as LIJA (DJ for J).
        "T1 TANPA_NIK PERBAIKI usulan=1607062606790022
         T2 TANPA_NIK PERBAIKI usulan=1607065207690023
         T3 TANPA_NIK PERBAIKI usulan=1607067008100024",
    );
}

#[test]
fn a_one_word_name_whose_only_old_spelling_mark_is_the_j_is_found_after_a_move() {
    // JATI is YATI in the old spelling, with nothing else in the word to say
    // so. The row was written in another district after a move, with the day
    // and month of birth swapped and no NIK or card: the address and the
    // village differ, so the name has to count as the same name, not as a
    // shared phonetic token, for the mother and the date to carry the match.
    check(
        &reg("T1|K1||JATI|P|1975-08-11|KOTA DEPOK|ELIS NURAENI|GG MAWAR VIII|32.76.02.1008"),
        &civ("3276064811750001|YATI|P|1975-11-08|DEPOK|ELIS NURAENI|GG. MAWAR II|32.76.06.1002||"),
        "T1 TANPA_NIK PERBAIKI usulan=3276064811750001",
    );
}

#[test]
fn a_child_entered_twice_on_one_card_with_a_misspelt_name_and_another_year_is_a_duplicate() {
    // T2 is T1 entered again on the same card: the name mistyped (ECCEP for
    // CECEP) and the year of birth a year off. Every name rule misses the
    // name and every date rule the year; the card and the day and month of
    // birth are what is left.
    const REG_KK: &str = "id_art|id_keluarga|no_kk|nik|nama|jenis_kelamin|tgl_lahir|tempat_lahir|nama_ibu_kandung|alamat|kode_wilayah";
    const CIV_KK: &str = "nik|no_kk|nama|jenis_kelamin|tgl_lahir|tempat_lahir|nama_ibu_kandung|alamat|kode_wilayah|status_hidup|tgl_meninggal";
    check(
        &format!(
            "{REG_KK}
             T1|K1|3276072709240003||TJECEP|L|2023-05-12|DEPOK|ENENG KOMALASARI|GG FLAMBOYAN IV|32.76.07.1002
             T2|K2|3276072709240003||ECCEP|L|2022-05-12|DEPOK|ENENG KOMALASARI|GG FLAMBOYAN IV|32.76.07.1002"
        ),
        &format!(
            "{CIV_KK}
             3276071205230003|3276072709240003|CECEP|L|2023-05-12|DEPOK|ENENG KOMALASARI|GG FLAMBOYAN IV|32.76.07.1002||"
        ),
        "T1 TANPA_NIK [GANDA] PERBAIKI usulan=3276071205230003 utama=T1
         T2 TANPA_NIK [GANDA] HAPUS usulan=3276071205230003 utama=T1",
    );
}

#[test]
fn a_father_and_his_son_of_the_same_name_are_not_duplicates() {
    check(
        &reg(
            "T1|K7|3273011203620024|SUPARMAN|L|1962-03-12|GARUT|SANIAH|JL DUKU 24|32.73.01.1001
             T2|K7|3273010809900025|SUPARMAN|L|1990-09-08|GARUT|ROHAYATI|JL DUKU 24|32.73.01.1001",
        ),
        &civ(
            "3273011203620024|SUPARMAN|L|1962-03-12|GARUT|SANIAH|JL DUKU 24|32.73.01.1001||
             3273010809900025|SUPARMAN|L|1990-09-08|GARUT|ROHAYATI|JL DUKU 24|32.73.01.1001||",
        ),
        "T1 PADAN TETAP
         T2 PADAN TETAP",
    );
}

#[test]
fn neighbours_on_the_same_placeholder_birth_date_are_not_duplicates() {
    // Dukcapil records an unknown birth date as 31 December: two women of one
    // village with close names on that date are still two women.
    check(
        &reg(
            "T1|K1||SUKARNI|P|1950-12-31|KEBUMEN|WAGINEM|DUSUN KRAJAN|33.05.01.2001
             T2|K2||SUKARMI|P|1950-12-31|KEBUMEN|PAINEM|DUSUN KRAJAN|33.05.01.2001",
        ),
        &civ(
            "3305017112500026|SUKARNI|P|1950-12-31|KEBUMEN|WAGINEM|DUSUN KRAJAN|33.05.01.2001||
             3305017112500027|SUKARMI|P|1950-12-31|KEBUMEN|PAINEM|DUSUN KRAJAN|33.05.01.2001||",
        ),
        "T1 TANPA_NIK PERBAIKI usulan=3305017112500026
         T2 TANPA_NIK PERBAIKI usulan=3305017112500027",
    );
}

#[test]
fn a_nickname_that_keeps_nothing_of_the_name_is_found_and_a_sibling_is_not_taken_for_it() {
    // KIKI keeps neither the start nor the end of RIZKY; AMAT is the
    // brother, a nickname of AHMAD, born three years later: not a match
    // for RIZKY however much of the household agrees.
    check(
        &reg(
            "T1|K1||KIKI|L|2011-04-18|DEPOK|SITI KHOTIJAH|JL NANGKA 3|32.76.01.1001
             T2|K1||AMAT|L|2014-09-02|DEPOK|SITI KHOTIJAH|JL NANGKA 3|32.76.01.1001",
        ),
        &civ(
            "3276011804110003|RIZKY RAMADHAN|L|2011-04-18|DEPOK|SITI KHOTIJAH|JL NANGKA 3|32.76.01.1001||",
        ),
        "T1 TANPA_NIK PERBAIKI usulan=3276011804110003
         T2 TANPA_NIK PERBAIKI",
    );
}

#[test]
fn a_wrong_sex_with_a_dropped_name_part_or_a_1_january_date_still_links() {
    // A wrong sex cell leaves name and date to tell the person from a sibling:
    // one of them identical and the other recognisable is enough.
    check(
        &reg(
            "T1|K1||AHMAD|P|1993-10-01|LAMPUNG TIMUR|FATIMAH|DUSUN SUKAJADI|18.07.07.2016
             T2|K2|3212261002080001.0|SANDY|P|2008-01-01|TASIKMALAYA|SUSAN HALIM|JL PASAR 2|32.12.26.2002",
        ),
        &civ(
            "1807070110930001|MOHAMAD AHMAD|L|1993-10-01|LAMPUNG TIMUR|FATIMAH|DUSUN SUKAJADI|18.07.07.2016||
             3212261002080001|SANDY|L|2008-02-10|TASIKMALAYA|SUSAN HALIM|JL PASAR 2|32.12.26.2002||",
        ),
        "T1 TANPA_NIK PERBAIKI usulan=1807070110930001
         T2 NIK_TIDAK_VALID PERBAIKI usulan=3212261002080001",
    );
}

#[test]
fn a_nik_one_digit_short_or_long_is_proposed_back_despite_a_typo_in_the_name() {
    // T1: a zero of the serial dropped, the first letter of the name with it,
    // the sex wrong and no mother's name: no rule on the name, the date and
    // sex, the mother or the NIK meets RIDWAN, but the NIKs the 15-digit
    // cell stands for include his. T2: a digit of the date doubled.
    check(
        &reg(
            "T1|K1|317306250877001|IDWAN|P|1977-08-25|JAKARTA BARAT||JL MAWAR 75|31.73.06.1001
             T2|K2|32730155311750012|ENTIN KARTINI|P|1975-11-13|GARUT|ENAH|JL MELATI 9|32.73.01.1001",
        ),
        &civ(
            "3173062508770001|RIDWAN|L|1977-08-25|JAKARTA BARAT|NURHAYATI|JL MAWAR 75|31.73.06.1001||
             3273015311750012|ENTIN KARTINI|P|1975-11-13|GARUT|ENAH|JL MELATI 9|32.73.01.1001||",
        ),
        "T1 NIK_TIDAK_VALID PERBAIKI usulan=3173062508770001
         T2 NIK_TIDAK_VALID PERBAIKI usulan=3273015311750012",
    );
}

#[test]
fn two_namesakes_born_the_same_day_leave_a_row_without_nik_unproposed() {
    // T1 has neither NIK nor mother's name; two women of its name, born on
    // its birth date, live in two other districts of the city. Either NIK
    // would be a coin toss. T2's namesake is alone, and is proposed.
    let registry = reg(
        "T1|K1||SITI ROHMAH|P|1990-03-15|DEPOK||GG MAWAR 1|32.76.05.1008
         T2|K2||NENG KURNIASIH|P|1986-11-02|DEPOK||GG MAWAR 2|32.76.05.1008",
    );
    let civil = civ(
        "3276015503900001|SITI ROHMAH|P|1990-03-15|DEPOK|AMINAH|JL ANGGREK 1|32.76.01.1001||
         3276095503900002|SITI ROHMAH|P|1990-03-15|DEPOK|ENTIN|JL SEROJA 2|32.76.09.1003||
         3276014211860001|NENG KURNIASIH|P|1986-11-02|DEPOK|ICIH|JL DAHLIA 3|32.76.01.1001||",
    );
    check(
        &registry,
        &civil,
        "T1 TANPA_NIK PERBAIKI
         T2 TANPA_NIK PERBAIKI usulan=3276014211860001",
    );
    let rows = crate::testkit::run(&registry, &civil);
    assert!(
        rows[0]
            .keterangan
            .contains("2 penduduk Dukcapil sama cocoknya dengan baris ini"),
        "{}",
        rows[0].keterangan
    );
    // No resident is used for the decision, so no score (interchange.md).
    assert_eq!(rows[0].skor, None);
}
