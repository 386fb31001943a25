/**
 * The violations injected into the world, one block per rule, each at its rate from the options,
 * and the near-misses placed right at each threshold that must NOT fire. School-level ones are
 * chosen here; per-payment ones (WAGE-*, INSURANCE-MISSING) are drawn in timeline/funding.ts.
 */
import { rngOf } from '../core/rng.ts';
import { outsideRegions } from './jiaozuo.ts';
import { extraStudent, seatStudent } from './roster.ts';
import { staffOf } from './staff.ts';
import { at, DAY, HOUR, MINUTE, monthOf, monthStart } from './time.ts';
import { type AreaKind, countFor, pickSome, type School, type SeatFlag, seatKey, sum, type World, withdrawFrom } from './world.ts';

/** A township of just under 30,000 people (one central kindergarten is enough). */
export function nearMissTownship(world: World): void {
  for (const region of world.regions.filter((r) => !r.urban)) {
    const t = region.townshipList.find((x) => x.population >= 22_000 && x.population < 38_000);
    if (!t) continue;
    // The difference goes to another township (the region's total stays), never making it 30,000.
    const diff = t.population - 29_999;
    const other = region.townshipList.find((x) => x !== t && x.population + diff !== 30_000 && x.population + diff > 1000);
    if (!other) continue;
    other.population += diff;
    t.population = 29_999;
    return;
  }
}

/** KG-TOWNSHIP-CENTRAL: townships that get one public central kindergarten fewer than they need. */
export function pickCentralShortfalls(world: World): Map<string, number> {
  const all = world.regions.flatMap((r) => r.townshipList).filter((t) => t.population !== 29_999);
  const k = countFor(world.options.rates.townshipCentral, all.length);
  return new Map(pickSome(rngOf(world.options.seed, 'inject', 'central'), all, k).map((t) => [t.code, 1]));
}

const zoneOf = (s: School) => (s.urban ? 'urban' : s.regionCode);

/** School-level violations and near-misses: staffing, facilities, licences, tuition, funds, admissions. */
export function injectSchoolViolations(world: World): void {
  const { options, span } = world;
  const rates = options.rates;
  const r = rngOf(options.seed, 'inject', 'schools');
  const normal = (s: School) => !s.steady && s.closedAt === undefined && s.tweak.teachers === undefined;
  const kgs = world.schools.filter((s) => s.level === 'kindergarten');
  const hs = world.schools.filter((s) => s.level === 'high_school');
  const privateHs = hs.filter((s) => s.ownership === 'private' && normal(s));

  // Near-misses: a public kindergarten of exactly 180 children with 12 teachers (1:15) and 8.17 m² of
  // activity rooms per child; a public high school of exactly 1500 students with 132 teachers.
  const oldEnough = (s: School) => s.cohorts.length >= 3 && s.cohorts.every((c) => c.classes.length >= 2);
  const kgNear = kgs.find((s) => s.ownership === 'public' && !s.townshipCentral && oldEnough(s));
  if (kgNear) {
    for (const c of kgNear.cohorts) {
      c.classes = [30, 30];
      c.withdrawals = [0, 0];
    }
    kgNear.steady = true;
    kgNear.tweak = { teachers: 'exact', area: { kind: 'activity', mode: 'exact' } };
  }
  const hsNear = hs.find((s) => s.ownership === 'public' && normal(s) && s.cohorts.length >= 3 && s.cohorts.every((c) => c.classes.length >= 10));
  if (hsNear) {
    for (const c of hsNear.cohorts) {
      c.classes = Array(10).fill(50);
      c.withdrawals = Array(10).fill(0);
    }
    hsNear.steady = true;
    hsNear.tweak = { teachers: 'exact' };
  }

  for (const s of pickSome(
    r,
    kgs.filter((s) => s.ownership === 'public' && normal(s)),
    countFor(rates.teacherRatio, kgs.length / 2),
  ))
    s.tweak.teachers = 'short';
  const kinds: AreaKind[] = ['outdoor', 'activity', 'building'];
  pickSome(
    r,
    kgs.filter((s) => normal(s) && !s.tweak.area),
    countFor(rates.facility, kgs.length),
  ).forEach((s, i) => {
    s.tweak.area = { kind: kinds[i % 3]!, mode: 'short' };
  });
  const privateKgs = kgs.filter((s) => s.ownership === 'private' && normal(s));
  const [closing, ...unlicensed] = pickSome(r, privateKgs, countFor(rates.unlicensed, kgs.length) + 1);
  for (const s of unlicensed) s.licensed = false;
  if (closing) {
    // Near-miss: an unlicensed kindergarten that closed (its children transferred) is not active.
    closing.licensed = false;
    closing.closedAt = span.start + Math.floor((span.asOf - span.start) * 0.45);
  }

  const tuitionPicks = pickSome(r, privateHs, countFor(rates.tuition, privateHs.length) + 1);
  tuitionPicks.forEach((s, i) => {
    if (i === tuitionPicks.length - 1 && i > 0) {
      s.cost = r.int(65, 95) * 400;
      s.tuition = s.cost / 4; // exactly 25%: does not fire
      return;
    }
    s.cost = r.int(260, 380) * 100;
    s.tuition = Math.round((s.cost * 0.2) / 100) * 100;
    const update = Math.round((s.cost * 0.32) / 100) * 100;
    if (world.seasonYears.length > 0) s.tuitionUpdate = update;
    else s.tuition = update;
  });
  for (const s of pickSome(r, hs.filter(normal), countFor(rates.hsTeachers, hs.length))) s.tweak.teachers = 'short';
  const fundPicks = pickSome(
    r,
    hs.filter((s) => normal(s) && s.fundsPerQuarter === 0),
    countFor(rates.hsFunds, hs.length) + 1,
  );
  fundPicks.forEach((s, i) => {
    s.fundsPerQuarter = i === 0 ? 250 : 200; // 4 x 250 = exactly 1000 a year
  });

  const y = world.seasonYears[0];
  if (y !== undefined) injectAdmissions(world, y);
  const unknown = countFor(rates.unknownSchool, world.schools.length);
  for (let i = 0; i < unknown; i++) {
    world.unknownSchools.push({
      id: `114199${String(i + 1).padStart(4, '0')}`,
      at: span.start + Math.floor((span.asOf - span.start) * (0.15 + (0.7 * i) / unknown)),
    });
  }
}

function injectAdmissions(world: World, year: number): void {
  const { options, span } = world;
  const rates = options.rates;
  const r = rngOf(options.seed, 'inject', 'admissions');
  const hasCohort = (s: School) => s.cohorts.some((c) => c.year === year);
  const hs = world.schools.filter((s) => s.level === 'high_school' && !s.steady && hasCohort(s));
  const noPlanPool = hs.filter((s) => s.ownership === 'private');
  for (const s of pickSome(r, noPlanPool.length ? noPlanPool : hs, countFor(rates.noPlan, hs.length))) s.noPlan = true;
  const eligible = world.schools.filter((s) => s.level !== 'kindergarten' && !s.steady && !s.noPlan && hasCohort(s));
  const eligibleHs = eligible.filter((s) => s.level === 'high_school');
  const overAndExact = pickSome(r, eligibleHs, countFor(rates.overQuota, eligibleHs.length) + 2);
  overAndExact.forEach((s, i) => {
    s.quotaMode = i < 2 ? 'exact' : 'over';
  });
  const publicZones = new Set(eligibleHs.filter((s) => s.ownership === 'public').map(zoneOf));
  const earlyPool = eligibleHs.filter((s) => s.ownership === 'private' && publicZones.has(zoneOf(s)));
  for (const s of pickSome(r, earlyPool, countFor(rates.earlyPrivateWindow, earlyPool.length))) s.earlyWindow = true;

  // Class sizes: a few grade-1 classes over 55, and one of exactly 55.
  const classes = eligibleHs.flatMap((s) => s.cohorts.filter((c) => c.year === year).flatMap((c) => c.classes.map((_, i) => ({ c, i }))));
  const bigs = pickSome(r, classes, countFor(rates.classSize, classes.length) + 1);
  bigs.forEach(({ c, i }, n) => {
    c.classes[i] = n === 0 ? 55 : r.int(56, 59);
    c.withdrawals[i] = 0;
  });

  const seatsTotal = sum(eligible.map((s) => sum(s.cohorts.find((c) => c.year === year)!.classes)));
  const flagSeat = (pool: School[], flag: SeatFlag): { school: School; key: string; cls: number; seat: number } | null => {
    for (let attempt = 0; attempt < 50 && pool.length; attempt++) {
      const school = r.pick(pool);
      const cohort = school.cohorts.find((c) => c.year === year)!;
      const cls = r.int(0, cohort.classes.length - 1);
      const seat = r.int(0, withdrawFrom(school.level) - 1);
      const key = seatKey(year, cls, seat);
      if (school.seats.has(key)) continue;
      school.seats.set(key, flag);
      return { school, key, cls, seat };
    }
    return null;
  };
  const countyCodes = world.regions.filter((x) => !x.urban).map((x) => x.code);
  for (let i = 0; i < countFor(rates.crossRegion, seatsTotal); i++) {
    const school = r.pick(eligible);
    const away = school.urban ? r.pick(countyCodes) : r.chance(0.5) ? r.pick(outsideRegions) : r.pick(countyCodes.filter((c) => c !== school.regionCode));
    flagSeat([school], { home: away, admissionType: i % 3 === 2 ? 'sports_special' : 'unified' });
  }
  for (let i = 0; i < countFor(rates.outOfWindow, seatsTotal); i++) flagSeat(eligibleHs, { window: i % 2 === 0 ? 'before' : 'after' });
  for (let i = 0; i < countFor(rates.offPlatform, seatsTotal); i++) flagSeat(eligibleHs, { offPlatform: true });
  for (let i = 0; i < countFor(rates.duplicate, seatsTotal); i++) {
    const a = r.pick(eligibleHs);
    const others = eligibleHs.filter((b) => b !== a && zoneOf(b) === zoneOf(a));
    if (!others.length) continue;
    const b = r.pick(others);
    const placed = flagSeat([a], { duplicateAt: b.index });
    if (!placed) continue;
    const st = seatStudent(world, a, a.cohorts.find((c) => c.year === year)!, placed.cls, placed.seat);
    b.extras.push({ year, studentId: st.id, home: st.home, admissionType: 'unified', cancelled: false, duplicateOf: a.index });
  }

  // Near-misses: admissions exactly at the window's opening and closing; a student admitted at one
  // school, cancelled there, then admitted at another; an enrollment without admission 2 days old.
  const pub = eligibleHs.filter((s) => s.ownership === 'public' && s.quotaMode === 'fill');
  flagSeat(pub, { window: 'atOpen' });
  flagSeat(pub, { window: 'atClose' });
  const a = pub[0];
  const b = a && pub.find((x) => x !== a && zoneOf(x) === zoneOf(a));
  if (a && b) {
    const id = extraStudent(world, a, year);
    a.extras.push({ year, studentId: id, home: a.regionCode, admissionType: 'unified', cancelled: true });
    b.extras.push({ year, studentId: id, home: a.regionCode, admissionType: 'unified', cancelled: false });
  }
  const late = span.asOf - 2 * DAY - 5 * HOUR;
  const host = pub.find((s) => s.cohorts.find((c) => c.year === year)!.classes.some((n) => n <= 53));
  if (host && late > at(year, 9, 15)) {
    const cohort = host.cohorts.find((c) => c.year === year)!;
    const cls = cohort.classes.findIndex((n) => n <= 53);
    host.seats.set(seatKey(year, cls, cohort.classes[cls]!), { offPlatform: true, enrollAt: late });
    cohort.classes[cls]! += 1;
  }
  // Students who accept and then decline (放弃录取): admitted and cancelled, never enrolled.
  for (const s of eligible) {
    const n = Math.round(sum(s.cohorts.find((c) => c.year === year)!.classes) * 0.008);
    for (let i = 0; i < n; i++) s.extras.push({ year, studentId: extraStudent(world, s, year), home: s.regionCode, admissionType: 'unified', cancelled: true });
  }
  // Platform outages: 45 minutes (DQ-STALE-FEED) and one of 25 minutes that stays quiet.
  for (let i = 0; i < Math.min(4, rates.staleFeedGaps); i++) world.outages.push([at(year, 7, 16 + i, 14), at(year, 7, 16 + i, 14, 45)]);
  world.outages.push([at(year, 7, 14, 15), at(year, 7, 14, 15) + 25 * MINUTE]);
}

/** STAFF-*, KG-RESEARCHER: moves, payments by private schools, and regions without a researcher. */
export function injectStaffViolations(world: World): void {
  const { options, span } = world;
  const rates = options.rates;
  const r = rngOf(options.seed, 'inject', 'staff');
  const frac = (f: number) => span.start + Math.floor((span.asOf - span.start) * f);
  let researcher = 1;
  const nextId = () => `JZB${String(researcher++).padStart(7, '0')}`;
  const missing = new Set(pickSome(r, world.regions, countFor(rates.researcher, world.regions.length)));
  const nearMiss = world.regions.find((x) => !missing.has(x));
  for (const region of world.regions) {
    const start = span.start + 2 * HOUR;
    if (missing.has(region)) region.researchers = [{ id: nextId(), joinAt: start, leaveAt: frac(0.4) }];
    else if (region === nearMiss)
      region.researchers = [
        { id: nextId(), joinAt: start, leaveAt: frac(0.3) },
        { id: nextId(), joinAt: frac(0.45) },
      ];
    else region.researchers = Array.from({ length: Math.max(1, Math.round(options.scale * r.int(1, 2))) }, () => ({ id: nextId(), joinAt: start }));
  }

  const plain = (s: School) => !s.steady && s.closedAt === undefined && s.tweak.teachers === undefined;
  const mover = (s: School, used: Set<string>) =>
    staffOf(world, s).find(
      (m) =>
        !used.has(`${s.index}:${m.local}`) &&
        m.versions.length === 1 &&
        m.versions[0]!.active &&
        m.versions[0]!.role === 'full_time_teacher' &&
        (s.ownership === 'private' || m.versions[0]!.employment === 'public_post'),
    );
  const used = new Set<string>();
  const publicKgs = world.schools.filter((s) => s.level === 'kindergarten' && s.ownership === 'public' && plain(s));
  const privateKgs = world.schools.filter((s) => s.level === 'kindergarten' && s.ownership === 'private' && plain(s));
  const k = countFor(rates.publicAtPrivate, sum(publicKgs.map((s) => s.staffPlan.teachers)) * 0.55);
  for (let i = 0; i < k + Math.max(1, Math.floor(k / 2)); i++) {
    const p = r.pick(publicKgs);
    const qs = privateKgs.filter((q) => q.regionCode === p.regionCode);
    const m = mover(p, used);
    if (!qs.length || !m) continue;
    const q = r.pick(qs);
    used.add(`${p.index}:${m.local}`);
    if (i < k)
      world.staffEvents.push({ kind: 'move', school: p.index, local: m.local, versions: [{ at: frac(r.float(0.2, 0.6)), school: q.index, active: true }] });
    else {
      const month = monthOf(frac(r.float(0.2, 0.6)));
      if (monthStart(month + 1) + 5 * DAY > span.asOf) continue;
      world.staffEvents.push({ kind: 'paid-by', school: p.index, local: m.local, payer: q.index, month, at: monthStart(month + 1) + 4 * DAY + 15 * HOUR });
    }
  }
  const county = world.schools.filter((s) => s.level === 'high_school' && !s.urban && plain(s));
  const urban = world.schools.filter((s) => s.level === 'high_school' && s.urban && s.tweak.teachers === undefined);
  const poached = countFor(rates.poached, sum(county.map((s) => s.staffPlan.teachers)));
  for (let i = 0; i <= poached && county.length && urban.length; i++) {
    const p = r.pick(county);
    const m = mover(p, used);
    if (!m) continue;
    used.add(`${p.index}:${m.local}`);
    const u = r.pick(urban).index;
    /** Leaves school p at `left`, joins urban school u `gapDays` later. */
    const leaveThenJoin = (left: number, gapDays: number) =>
      world.staffEvents.push({
        kind: 'move',
        school: p.index,
        local: m.local,
        versions: [
          { at: left, school: p.index, active: false },
          { at: left + gapDays * DAY, school: u, active: true },
        ],
      });
    if (i === poached) {
      // Near-miss: joined an urban school 200 days after leaving (the limit is 180).
      const left = span.start + 19 * DAY + 10 * HOUR;
      if (left + 201 * DAY < span.asOf) leaveThenJoin(left, 200);
    } else if (i % 2 === 0) {
      world.staffEvents.push({ kind: 'move', school: p.index, local: m.local, versions: [{ at: frac(r.float(0.2, 0.7)), school: u, active: true }] });
    } else {
      leaveThenJoin(frac(r.float(0.1, 0.4)), 120);
    }
  }
}
