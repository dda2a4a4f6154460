"""Warnings a valid report earns: glyphs the fonts lack, figures after the
period, totals that disagree with their months, marks the figures contradict.
"""
