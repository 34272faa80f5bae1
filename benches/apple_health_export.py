#!/usr/bin/env python3
"""Writes a synthetic Apple Health export.xml: a year of one person's watch and phone data in
the shape of real exports (DTD, metadata children, blood-pressure correlations with top-level
copies, sleep stages, workouts with WorkoutStatistics, types maru skips).

    apple_health_export.py OUT [days=365]

A year is about 170 MB: heart rate every minute while awake, steps and energy every 10
minutes, nightly sleep stages, a weekly blood pressure and run.
"""
import random
import sys
import time

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
]>
<HealthData locale="ko_KR">
 <ExportDate value="2026-11-22 09:00:00 +0900"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-04-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
"""
WATCH = 'sourceName="민지의 Apple Watch" sourceVersion="10.1" device="&lt;&lt;HKDevice: 0x300a&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:10.1&gt;"'
PHONE = 'sourceName="민지의 iPhone" sourceVersion="17.1"'


def stamp(t):
    return time.strftime("%Y-%m-%d %H:%M:%S +0900", time.gmtime(t + 9 * 3600))


def record(out, hk, source, unit, value, start, end, meta=""):
    s, e = stamp(start), stamp(end)
    if meta:
        out.write(f' <Record type="HKQuantityTypeIdentifier{hk}" {source} unit="{unit}" creationDate="{e}" startDate="{s}" endDate="{e}" value="{value}">\n{meta} </Record>\n')
    else:
        out.write(f' <Record type="HKQuantityTypeIdentifier{hk}" {source} unit="{unit}" creationDate="{e}" startDate="{s}" endDate="{e}" value="{value}"/>\n')


def day(out, start, d, rng):
    base = start + d * 86400
    wake, bed = base + 7 * 3600, base + 23 * 3600
    for t in range(wake, bed, 60):
        hour = (t - base) // 3600
        bpm = 62 + 12 * (9 <= hour <= 19) + rng.randint(-4, 6)
        meta = '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n' if t % 600 == 0 else ""
        record(out, "HeartRate", WATCH, "count/min", bpm, t, t, meta)
    for t in range(wake, bed, 600):
        record(out, "StepCount", PHONE, "count", rng.randint(0, 1400), t, t + 600)
        record(out, "ActiveEnergyBurned", WATCH, "kcal", round(rng.uniform(2, 40), 3), t, t + 600)
        record(out, "HeadphoneAudioExposure", PHONE, "dBASPL", rng.randint(50, 80), t, t + 600)
    record(out, "RestingHeartRate", WATCH, "count/min", rng.randint(52, 60), base + 12 * 3600, base + 12 * 3600)
    record(out, "OxygenSaturation", WATCH, "%", round(rng.uniform(0.95, 0.99), 2), base + 3 * 3600, base + 3 * 3600)
    record(out, "BodyMass", PHONE, "kg", round(61 + rng.uniform(-0.5, 0.5), 1), wake + 300, wake + 300)
    record(out, "DietaryWater", PHONE, "mL", 250 * rng.randint(4, 9), base + 20 * 3600, base + 20 * 3600)
    # Sleep from last night's 23:00: core, deep, REM, a short wake, core.
    t = base - 3600
    for stage, minutes in [("InBed", 0), ("AsleepCore", 110), ("AsleepDeep", 70), ("AsleepREM", 60),
                           ("Awake", 8), ("AsleepCore", 150), ("AsleepREM", 40)]:
        if stage == "InBed":
            out.write(f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" {WATCH} creationDate="{stamp(wake)}" startDate="{stamp(t)}" endDate="{stamp(wake)}" value="HKCategoryValueSleepAnalysisInBed"/>\n')
            continue
        out.write(f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" {WATCH} creationDate="{stamp(wake)}" startDate="{stamp(t)}" endDate="{stamp(t + minutes * 60)}" value="HKCategoryValueSleepAnalysis{stage}"/>\n')
        t += minutes * 60
    if d % 7 == 0:
        at = wake + 900
        sys_, dia = rng.randint(112, 132), rng.randint(70, 84)
        bp = lambda hk, v: f'  <Record type="HKQuantityTypeIdentifierBloodPressure{hk}" sourceName="Omron" unit="mmHg" startDate="{stamp(at)}" endDate="{stamp(at)}" value="{v}"/>\n'
        out.write(bp("Systolic", sys_).replace("  <", " <", 1) + bp("Diastolic", dia).replace("  <", " <", 1))
        out.write(f' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" startDate="{stamp(at)}" endDate="{stamp(at)}">\n{bp("Systolic", sys_)}{bp("Diastolic", dia)} </Correlation>\n')
        run = base + 18 * 3600
        out.write(f' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="32.5" durationUnit="min" {WATCH} startDate="{stamp(run)}" endDate="{stamp(run + 1950)}">\n'
                  f'  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="{stamp(run)}" duration="5" durationUnit="min"/>\n'
                  f'  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="{stamp(run)}" endDate="{stamp(run + 1950)}" sum="{rng.randint(280, 360)}" unit="kcal"/>\n'
                  f'  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="{stamp(run)}" endDate="{stamp(run + 1950)}" sum="{round(rng.uniform(4.5, 5.5), 2)}" unit="km"/>\n'
                  ' </Workout>\n')


def main():
    path = sys.argv[1]
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 365
    rng = random.Random(7)
    # Local midnights in Seoul, the last one yesterday's, so nothing lies in the future.
    today = (int(time.time()) + 9 * 3600) // 86400 * 86400 - 9 * 3600
    start = today - days * 86400
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as out:
        out.write(HEAD)
        for d in range(days):
            day(out, start, d, rng)
        out.write("</HealthData>\n")


if __name__ == "__main__":
    main()
